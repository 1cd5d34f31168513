import { useQuery } from '@tanstack/react-query';
import type { z } from 'zod';
import type { wechatIdentitiesReply } from '../../../contracts/wechat.js';
import { api } from '../../api/client.js';

export type WechatIdentities = z.infer<typeof wechatIdentitiesReply>;

export const wechatKeys = {
  available: ['wechat', 'available'] as const,
  mine: ['me', 'wechat'] as const,
  pending: ['wechat', 'pending'] as const,
};

/** WeChat's in-app browser says so in its user agent; there the 公众号 flow runs instead of the QR page. */
export const inWechatBrowser = () => typeof navigator !== 'undefined' && /MicroMessenger/i.test(navigator.userAgent);

export function useWechatAvailable() {
  return useQuery({ queryKey: wechatKeys.available, queryFn: () => api<{ qr: boolean; mp: boolean }>('/api/auth/wechat'), staleTime: 5 * 60_000 });
}

export function useMyWechat(enabled: boolean) {
  return useQuery({ queryKey: wechatKeys.mine, queryFn: () => api<WechatIdentities>('/api/me/wechat'), enabled });
}

/** Asks the server for WeChat's address (it sets the state cookie) and goes there. */
export async function startWechat(body: { flow: 'qr' | 'mp'; intent: 'sign_in' | 'link'; campaignId?: string; next?: string }): Promise<void> {
  const { url } = await api<{ url: string }>('/api/auth/wechat/start', { method: 'POST', body });
  window.location.assign(url);
}
