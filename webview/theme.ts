/**
 * The theme's colours, read from the --vscode-* CSS variables VS Code sets on the page. Canvas
 * (Cytoscape) and computed scales cannot use CSS variables directly, so they are resolved here at
 * render time and again whenever the theme changes (the body's class changes).
 */
import { divergingScale, luminance, mix, over, parseColor, sequentialScale, toHex, type RGBA, type Scale } from './colors';

export interface Palette {
  kind: 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';
  fg: string;
  bg: string;
  muted: string;
  border: string;
  focus: string;
  edge: string;
  charts: { blue: string; red: string; green: string; yellow: string; orange: string; purple: string; foreground: string; lines: string };
  /** Sequential scale for centrality (0 = low, 1 = high), with its stops for the legend. */
  sequential: Scale;
  sequentialStops: string[];
  /** Diverging scale for changes (-1 … 1). */
  diverging: Scale;
  divergingStops: string[];
  /** Colour of the k-th of n ordered layers (early → deep) in the feature charts. */
  depth: (k: number, n: number) => string;
}

/** Distinct colours per scale: finer than the eye separates on a node, few enough to paint with one fill each. */
export const COLOR_STEPS = 48;

const DARK_DEFAULTS: Record<string, string> = {
  '--vscode-foreground': '#cccccc',
  '--vscode-editor-background': '#1e1e1e',
  '--vscode-descriptionForeground': '#9d9d9d',
  '--vscode-panel-border': '#80808059',
  '--vscode-focusBorder': '#007fd4',
  '--vscode-charts-blue': '#3794ff',
  '--vscode-charts-red': '#f14c4c',
  '--vscode-charts-green': '#89d185',
  '--vscode-charts-yellow': '#cca700',
  '--vscode-charts-orange': '#d18616',
  '--vscode-charts-purple': '#b180d7',
  '--vscode-charts-foreground': '#cccccc',
  '--vscode-charts-lines': '#cccccc80',
};

function themeKind(body: HTMLElement, bg: RGBA): Palette['kind'] {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-light')) return 'light';
  if (c.contains('vscode-dark')) return 'dark';
  return luminance(bg) > 0.4 ? 'light' : 'dark';
}

/** Reads the palette from the page's computed style. */
export function readPalette(el: HTMLElement = document.body): Palette {
  const cs = getComputedStyle(el);
  const raw = (name: string): string => cs.getPropertyValue(name).trim() || DARK_DEFAULTS[name] || '#888888';
  const bgC = parseColor(raw('--vscode-editor-background')) ?? parseColor(DARK_DEFAULTS['--vscode-editor-background'])!;
  const bg = { ...bgC, a: 1 };
  const kind = themeKind(el, bg);
  const dark = kind === 'dark' || kind === 'high-contrast';
  const col = (name: string): RGBA => over(parseColor(raw(name)) ?? parseColor(DARK_DEFAULTS[name] ?? '#888888')!, bg);
  const fg = col('--vscode-foreground');
  const blue = col('--vscode-charts-blue');
  const red = col('--vscode-charts-red');
  const green = col('--vscode-charts-green');
  const yellow = col('--vscode-charts-yellow');
  const orange = col('--vscode-charts-orange');
  const purple = col('--vscode-charts-purple');

  // Sequential: from a faint tint of the background (low centrality recedes) to the colour that
  // stands out most on this background (bright yellow on dark, deep purple on light).
  const seq: RGBA[] = dark ? [mix(bg, purple, 0.5), blue, green, yellow] : [mix(bg, yellow, 0.45), green, blue, purple];
  const neutral = mix(bg, fg, kind.startsWith('high-contrast') ? 0.45 : 0.32);
  const div: RGBA[] = [blue, neutral, red];
  const depthStops = dark ? [purple, blue, green, yellow] : [orange, green, blue, purple];
  const depthScale = sequentialScale(depthStops, 64);

  return {
    kind,
    fg: toHex(fg),
    bg: toHex(bg),
    muted: toHex(col('--vscode-descriptionForeground')),
    border: toHex(col('--vscode-panel-border')),
    focus: toHex(col('--vscode-focusBorder')),
    edge: toHex(mix(bg, fg, dark ? 0.7 : 0.75)),
    charts: {
      blue: toHex(blue),
      red: toHex(red),
      green: toHex(green),
      yellow: toHex(yellow),
      orange: toHex(orange),
      purple: toHex(purple),
      foreground: toHex(col('--vscode-charts-foreground')),
      lines: toHex(col('--vscode-charts-lines')),
    },
    // Few distinct colours (48 steps, 49 for the diverging scale): the painter fills all nodes of
    // one colour with a single path (network-painter.ts).
    sequential: sequentialScale(seq, COLOR_STEPS),
    sequentialStops: seq.map(toHex),
    diverging: divergingScale(div[0], div[1], div[2], COLOR_STEPS + 1),
    divergingStops: div.map(toHex),
    depth: (k: number, n: number) => depthScale(n <= 1 ? 0.5 : k / (n - 1)),
  };
}

/** Calls `onChange` when VS Code switches theme (it changes the body's class and the variables). */
export function watchTheme(onChange: () => void): () => void {
  let pending = 0;
  const fire = (): void => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      onChange();
    });
  };
  const mo = new MutationObserver(fire);
  mo.observe(document.body, { attributes: true, attributeFilter: ['class', 'data-vscode-theme-kind', 'data-vscode-theme-id'] });
  mo.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  return () => mo.disconnect();
}
