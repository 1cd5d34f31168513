// foliate-js ships no types: the little of its <foliate-view> the reader uses (view.js).
declare module 'foliate-js/view.js' {
  export interface FoliateLocation {
    cfi: string;
    fraction: number;
  }
  export interface FoliateView extends HTMLElement {
    open(book: File | Blob): Promise<void>;
    init(opts: { lastLocation?: string | null; showTextStart?: boolean }): Promise<void>;
    goTo(target: string): Promise<unknown>;
    prev(): Promise<void>;
    next(): Promise<void>;
    close(): void;
    /** The paginator: its `relocate` says why (`page`, `snap`, `scroll`; `navigation`, `anchor`, `selection` when not the reader's turn). */
    renderer: HTMLElement;
    lastLocation: FoliateLocation | null;
  }
  export const View: { new (): FoliateView };
}
