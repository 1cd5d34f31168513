/**
 * Where a call's media goes (docs/command.md, "Live contact"). Without a backend (JANUS_URL
 * unset, or Janus not answering when the call starts) one-to-one calls go peer to peer and
 * Paike only relays their signalling; with one, every call is a room on the media server, which
 * records it, takes several field guests and lets other desks watch.
 */
export interface CallRoomBackend {
  /** Whether the media server answers now; a call started while it does not goes peer to peer and says why. */
  healthy(): Promise<boolean>;
  /** Opens the call's room, recording it when asked; returns the room's number (command_calls.janus_room). */
  openRoom(opts: { callId: string; record: boolean }): Promise<{ room: number }>;
  /** Closes the room and lets go of every handle on it; its recording, if any, is then ready to collect. */
  closeRoom(opts: { callId: string; room: number }): Promise<void>;
}
