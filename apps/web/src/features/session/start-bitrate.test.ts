import { describe, expect, it } from 'vitest';
import { withStartBitrate } from './start-bitrate.js';

const ANSWER = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
  'a=mid:0',
  'm=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 102',
  'a=mid:1',
  'a=rtpmap:96 VP8/90000',
  'a=rtpmap:97 rtx/90000',
  'a=fmtp:97 apt=96',
  'a=rtpmap:98 VP9/90000',
  'a=fmtp:98 profile-id=0',
  'a=rtpmap:99 rtx/90000',
  'a=fmtp:99 apt=98',
  'a=rtpmap:102 H264/90000',
  'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 96',
  'a=mid:2',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  // The same payload type number in another section is another codec.
  'a=rtpmap:96 telephone-event/8000',
  'a=fmtp:96 0-16',
  '',
].join('\r\n');

describe('withStartBitrate', () => {
  it('starts every video codec at the bit rate, and leaves retransmission, audio and data alone', () => {
    const lines = withStartBitrate(ANSWER, 1000).split('\r\n');
    expect(lines.filter((l) => l.includes('x-google-start-bitrate'))).toEqual([
      'a=fmtp:96 x-google-start-bitrate=1000',
      'a=fmtp:98 profile-id=0;x-google-start-bitrate=1000',
      'a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f;x-google-start-bitrate=1000',
    ]);
    // VP8's new line follows its rtpmap; nothing else moves.
    expect(lines.indexOf('a=fmtp:96 x-google-start-bitrate=1000')).toBe(
      lines.indexOf('a=rtpmap:96 VP8/90000') + 1,
    );
    expect(lines.filter((l) => !l.includes('x-google-start-bitrate'))).toEqual(
      ANSWER.split('\r\n').filter((l) => !/^a=fmtp:(98|102) /.test(l)),
    );
  });

  it('changes nothing without video, and nothing twice', () => {
    const dataOnly = 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n';
    expect(withStartBitrate(dataOnly)).toBe(dataOnly);
    const once = withStartBitrate(ANSWER);
    expect(withStartBitrate(once)).toBe(once);
  });
});
