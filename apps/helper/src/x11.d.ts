// The pure-JS X11 client ships no types; these are the few calls the helper makes.
declare module 'x11' {
  export interface XScreen {
    root: number;
    pixel_width: number;
    pixel_height: number;
  }
  export interface XClient {
    seq_num: number;
    pack_stream: { pack(format: string, values: unknown[]): unknown; flush(): void };
    require(name: 'xtest', cb: (err: Error | null, ext: XTestExtension) => void): void;
    GetKeyboardMapping(first: number, count: number, cb: (err: Error | null, list: number[][]) => void): void;
    QueryPointer(
      window: number,
      cb: (err: Error | null, res: { rootX: number; rootY: number; child: number }) => void,
    ): void;
    GetInputFocus(cb: (err: Error | null, res: { focus: number }) => void): void;
    AllocID(): number;
    CreateWindow(
      wid: number,
      parent: number,
      x: number,
      y: number,
      width: number,
      height: number,
      borderWidth: number,
      depth: number,
      klass: number,
      visual: number,
      values: { backgroundPixel?: number; overrideRedirect?: number },
    ): void;
    MapWindow(wid: number): void;
    GetImage(
      format: number,
      drawable: number,
      x: number,
      y: number,
      width: number,
      height: number,
      planeMask: number,
      cb: (err: Error | null, image: { depth: number; data: Buffer }) => void,
    ): void;
    ChangeWindowAttributes(wid: number, values: { backgroundPixel?: number }): void;
    ClearArea(wid: number, x: number, y: number, width: number, height: number, exposures: number): void;
    on(event: 'error', cb: (err: Error) => void): void;
    on(event: 'end' | 'close', cb: () => void): void;
    on(event: 'event', cb: (ev: { name: string }) => void): void;
    terminate(): void;
  }
  export interface XDisplay {
    client: XClient;
    screen: XScreen[];
    min_keycode: number;
    max_keycode: number;
  }
  export interface XTestExtension {
    KeyPress: number;
    KeyRelease: number;
    ButtonPress: number;
    ButtonRelease: number;
    MotionNotify: number;
    FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
  }
  export function createClient(
    options: { display?: string },
    cb: (err: Error | null, display: XDisplay) => void,
  ): XClient;
  const x11: { createClient: typeof createClient };
  export default x11;
}
