import { Button, Text } from '@mantine/core';
import { IconBrandWindows } from '@tabler/icons-react';

/** The desktops QuickSupport runs on; everything else joins in the browser. */
export type DesktopSystem = 'windows' | 'linux' | 'other';

/** The visitor's own system, from the user agent: phones and tablets are "other" (Android says Linux). */
export function desktopSystem(userAgent = navigator.userAgent): DesktopSystem {
  if (/Windows NT/.test(userAgent) && !/Windows Phone/.test(userAgent)) return 'windows';
  if (/Linux|X11/.test(userAgent) && !/Android|Mobile/.test(userAgent)) return 'linux';
  return 'other';
}

/**
 * Whether this browser can share its screen. Phones and tablets cannot (no
 * `getDisplayMedia`): they show their camera instead, and no desktop helper is
 * offered to them, whatever their user agent says (Android's "desktop site"
 * mode announces itself as Linux X11).
 */
export function canShareScreen(): boolean {
  return typeof navigator.mediaDevices?.getDisplayMedia === 'function';
}

/** The desktop QuickSupport could run on here: none on a device that cannot share its screen. */
export function helperSystem(): DesktopSystem {
  return canShareScreen() ? desktopSystem() : 'other';
}

/** The Windows program carrying this session: the server appends the session to the download. */
export const windowsDownloadUrl = (token: string) =>
  `/downloads/LifelineQuickSupport.exe?session=${encodeURIComponent(token)}`;

/** "Download for Windows" and the one step after it. */
export function WindowsDownload({ token }: { token: string }) {
  return (
    <>
      <Button
        component="a"
        href={windowsDownloadUrl(token)}
        download="LifelineQuickSupport.exe"
        leftSection={<IconBrandWindows aria-hidden />}
        w="fit-content"
      >
        Download for Windows
      </Button>
      <Text size="sm">
        Open <strong>LifelineQuickSupport.exe</strong> when the download is done. It joins this session by
        itself: nothing to type, nothing to install, no administrator rights.
      </Text>
    </>
  );
}
