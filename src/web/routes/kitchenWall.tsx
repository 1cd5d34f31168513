import { getRouteApi } from '@tanstack/react-router';
import { WallScreen } from '../features/kitchen/wall/WallScreen.js';

const route = getRouteApi('/wall');

/** `/wall`: the newsroom's 传播力 wall (docs/wall.md). Chinese unless `?lang=en`. */
export function WallPage() {
  const { lang } = route.useSearch();
  return <WallScreen lang={lang === 'en' ? 'en' : 'zh-CN'} />;
}
