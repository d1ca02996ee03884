import type { JoinInfo } from '@lifeline/contracts';
import { Box } from '@mantine/core';
import { type CSSProperties, createContext, type ReactNode, useContext } from 'react';

export type Branding = NonNullable<JoinInfo['branding']>;

/**
 * The look of the QuickSupport module a customer came through: every customer
 * page under it (form, join choice, waiting room, consent) shows the module's
 * logo and title, with its accent colour on the main buttons.
 */
const BrandingContext = createContext<Branding | null>(null);
export const useBranding = () => useContext(BrandingContext);

/** `#rrggbb` mixed toward black (amount < 0) or white (amount > 0). */
function mix(hex: string, amount: number) {
  const target = amount < 0 ? 0 : 255;
  const a = Math.abs(amount);
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return `rgb(${channels.map((c) => Math.round(c + (target - c) * a)).join(', ')})`;
}

/**
 * Mantine paints primary buttons from CSS variables set once for the whole
 * page, so a branded part of the page sets its own.
 */
export function BrandedArea({ branding, children }: { branding: Branding | null; children: ReactNode }) {
  if (!branding) return <>{children}</>;
  const accent = branding.accentColor;
  const style = {
    '--mantine-primary-color-filled': accent,
    '--mantine-primary-color-filled-hover': mix(accent, -0.15),
    '--mantine-primary-color-light': mix(accent, 0.88),
    '--mantine-primary-color-light-hover': mix(accent, 0.8),
    '--mantine-primary-color-light-color': mix(accent, -0.2),
  } as CSSProperties;
  return (
    <BrandingContext.Provider value={branding}>
      <Box style={style}>{children}</Box>
    </BrandingContext.Provider>
  );
}
