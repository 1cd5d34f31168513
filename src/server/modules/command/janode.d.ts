// janode 1.8 ships JavaScript only: the part of its API Paike uses (janus.adapter.ts).
declare module 'janode' {
  import type { EventEmitter } from 'node:events';

  export interface JanodeJsep {
    type: 'offer' | 'answer';
    sdp: string;
  }
  export interface JanodeHandle extends EventEmitter {
    readonly id: number;
    detach(): Promise<void>;
    hangup(): Promise<void>;
    trickle(candidate: unknown): Promise<void>;
    trickleComplete(): Promise<void>;
    message(body: Record<string, unknown>, jsep?: JanodeJsep): Promise<unknown>;
  }
  export interface JanodeSession extends EventEmitter {
    readonly id: number;
    attach<H extends JanodeHandle>(plugin: { id: string; Handle: new (...args: never[]) => H }): Promise<H>;
    destroy(): Promise<void>;
  }
  export interface JanodeConnection extends EventEmitter {
    create(kaInterval?: number): Promise<JanodeSession>;
    getInfo(): Promise<Record<string, unknown>>;
    close(): Promise<void>;
  }
  const Janode: {
    connect(conf: {
      is_admin?: boolean;
      address: { url: string; apisecret?: string } | { url: string; apisecret?: string }[];
      retry_time_secs?: number;
      max_retries?: number;
    }): Promise<JanodeConnection>;
    EVENT: {
      CONNECTION_CLOSED: string;
      SESSION_DESTROYED: string;
      HANDLE_DETACHED: string;
      HANDLE_HANGUP: string;
      HANDLE_WEBRTCUP: string;
      CONNECTION_ERROR: string;
    };
    Logger: { setLevel(level: 'none' | 'error' | 'warning' | 'info' | 'verbose' | 'debug'): void };
  };
  export default Janode;
}

declare module 'janode/plugins/videoroom' {
  import type { JanodeHandle, JanodeJsep } from 'janode';

  export interface VideoRoomPublisher {
    feed: number;
    display?: string;
    talking?: boolean;
  }
  export interface VideoRoomHandle extends JanodeHandle {
    create(p: Record<string, unknown>): Promise<{ room: number }>;
    destroy(p: { room: number; secret?: string; permanent?: boolean }): Promise<unknown>;
    exists(p: { room: number }): Promise<{ room: number; exists: boolean }>;
    joinConfigurePublisher(p: Record<string, unknown> & { jsep?: JanodeJsep }): Promise<{
      feed: number;
      publishers: VideoRoomPublisher[];
      jsep?: JanodeJsep;
    }>;
    configure(p: Record<string, unknown> & { jsep?: JanodeJsep }): Promise<{ jsep?: JanodeJsep }>;
    listParticipants(p: { room: number; secret?: string }): Promise<{
      room: number;
      participants: { feed: number; display?: string; publisher: boolean }[];
    }>;
    joinSubscriber(p: Record<string, unknown>): Promise<{ room: number; feed: number; jsep?: JanodeJsep }>;
    start(p: { jsep: JanodeJsep }): Promise<unknown>;
    leave(): Promise<unknown>;
    kick(p: { room: number; feed: number; secret?: string }): Promise<unknown>;
    startForward(p: Record<string, unknown>): Promise<{ forwarders?: unknown[]; feed?: number; streams?: { stream_id: number; type: string; port: number }[] }>;
    stopForward(p: { room: number; feed: number; stream: number; secret?: string }): Promise<unknown>;
  }
  const VideoRoomPlugin: {
    id: string;
    Handle: new (...args: never[]) => VideoRoomHandle;
    EVENT: Record<string, string>;
  };
  export default VideoRoomPlugin;
}
