// hls.js ships one declaration file for both builds; its light build (no HLS subtitle or
// alternate-audio renditions, no DRM: Paike's ladders use none of them) has the same API.
declare module 'hls.js/light' {
  export * from 'hls.js';
  export { default } from 'hls.js';
}
