import { getRouteApi } from '@tanstack/react-router';
import { CommandWallScreen } from '../features/command/wall/CommandWallScreen.js';

const route = getRouteApi('/command/wall');

/** `/command/wall`: the command platform's big screen (docs/command-wall.md). Chinese unless `?lang=en`. */
export function CommandWallPage() {
  const { lang } = route.useSearch();
  return <CommandWallScreen lang={lang === 'en' ? 'en' : 'zh-CN'} />;
}
