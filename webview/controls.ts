/**
 * The dashboard's controls: tabs, the runs filter and metric, the Network tab's epoch slider, step and play
 * buttons, loop / follow / compare, fit, and the keyboard. `wireControls` turns DOM events into
 * ControlActions; the render functions set the controls from the view state (never the reverse),
 * so a restored or merged state shows as it is.
 */
import { byId, h } from './dom';
import { TABS, type Tab, type ViewState } from './model';
import { METRICS, type MetricKey } from './sweep-model';

export interface ControlActions {
  showTab(tab: Tab): void;
  setFilter(text: string): void;
  setMetric(metric: MetricKey): void;
  /** The slider moved: an index into the run's epochs. */
  epochAt(index: number): void;
  step(delta: number): void;
  togglePlay(): void;
  setLoop(on: boolean): void;
  setFollow(on: boolean): void;
  setCompare(on: boolean): void;
  compareWith(epoch: number | null): void;
  fit(): void;
}

const checked = (e: Event): boolean => (e.target as HTMLInputElement).checked;

export function wireControls(a: ControlActions): void {
  for (const t of TABS) {
    const b = byId(`tab-${t}`);
    b.addEventListener('click', () => a.showTab(t));
    b.addEventListener('keydown', (e) => {
      const i = TABS.indexOf(t);
      const j = e.key === 'ArrowRight' ? (i + 1) % TABS.length : e.key === 'ArrowLeft' ? (i + TABS.length - 1) % TABS.length : -1;
      if (j >= 0) {
        a.showTab(TABS[j]);
        byId(`tab-${TABS[j]}`).focus();
      }
    });
  }
  // The filter applies as the user types, once typing pauses.
  const filter = byId<HTMLInputElement>('run-filter');
  let typing: ReturnType<typeof setTimeout> | undefined;
  filter.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => a.setFilter(filter.value), 150);
  });
  filter.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      clearTimeout(typing);
      a.setFilter(filter.value);
    }
  });
  byId('filter-clear').addEventListener('click', () => {
    clearTimeout(typing);
    a.setFilter('');
  });
  byId<HTMLSelectElement>('metric').addEventListener('change', (e) => {
    const m = (e.target as HTMLSelectElement).value as MetricKey;
    if (METRICS.includes(m)) a.setMetric(m);
  });
  const slider = byId<HTMLInputElement>('epoch-slider');
  slider.addEventListener('input', () => a.epochAt(Number(slider.value)));
  byId('epoch-prev').addEventListener('click', () => a.step(-1));
  byId('epoch-next').addEventListener('click', () => a.step(1));
  byId('play').addEventListener('click', () => a.togglePlay());
  byId<HTMLInputElement>('loop').addEventListener('change', (e) => a.setLoop(checked(e)));
  byId<HTMLInputElement>('follow').addEventListener('change', (e) => a.setFollow(checked(e)));
  byId<HTMLInputElement>('compare').addEventListener('change', (e) => a.setCompare(checked(e)));
  byId<HTMLSelectElement>('compare-epoch').addEventListener('change', (e) => {
    const v = Number((e.target as HTMLSelectElement).value);
    a.compareWith(Number.isInteger(v) ? v : null);
  });
  byId('fit').addEventListener('click', () => a.fit());
  byId('error-dismiss').addEventListener('click', () => (byId('error-banner').hidden = true));
  byId('panel-network').addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    // The drawing, the layer headers and the layer table use the arrow keys themselves.
    if (t.closest('input, select, textarea, #graph, #layer-headers, #layer-table-box')) return;
    if (e.key === 'ArrowLeft') a.step(-1);
    else if (e.key === 'ArrowRight') a.step(1);
    else if (e.key === 'p' || e.key === 'P') a.togglePlay();
    else return;
    e.preventDefault();
  });
}

/** Marks the open tab (buttons and panels). */
export function renderTabs(open: Tab): void {
  for (const x of TABS) {
    const on = x === open;
    const b = byId(`tab-${x}`);
    b.setAttribute('aria-selected', on ? 'true' : 'false');
    b.tabIndex = on ? 0 : -1;
    byId(`panel-${x}`).classList.toggle('active', on);
  }
}

export function renderPlayButton(playing: boolean): void {
  const b = byId('play');
  b.textContent = playing ? '❚❚ Pause' : '▶ Play';
  b.setAttribute('aria-pressed', playing ? 'true' : 'false');
}

/** The Network tab's toolbar for the run's epochs and the view state. */
export function renderNetworkControls(eps: readonly number[], state: ViewState, playing: boolean): void {
  const slider = byId<HTMLInputElement>('epoch-slider');
  const i = state.epoch === null ? -1 : eps.indexOf(state.epoch);
  slider.max = String(Math.max(0, eps.length - 1));
  slider.value = String(Math.max(0, i));
  slider.disabled = eps.length < 2;
  slider.dataset.epoch = state.epoch === null ? '' : String(state.epoch);
  slider.setAttribute('aria-valuetext', state.epoch === null ? 'no epoch' : `epoch ${state.epoch}`);
  byId('epoch-label').textContent = state.epoch === null ? 'no epoch yet' : `epoch ${state.epoch}  (${i + 1}/${eps.length})`;
  (byId('play') as HTMLButtonElement).disabled = eps.length < 2;
  (byId('epoch-prev') as HTMLButtonElement).disabled = i <= 0;
  (byId('epoch-next') as HTMLButtonElement).disabled = i < 0 || i >= eps.length - 1;
  byId<HTMLInputElement>('loop').checked = state.loop;
  byId<HTMLInputElement>('follow').checked = state.follow;
  byId<HTMLInputElement>('compare').checked = state.compare;
  const sel = byId<HTMLSelectElement>('compare-epoch');
  const ce = state.compareEpoch ?? eps[0];
  const want = eps.map(String).join(',');
  if (sel.dataset.epochs !== want) {
    sel.replaceChildren(...eps.map((e) => h('option', { value: e }, `epoch ${e}`)));
    sel.dataset.epochs = want;
  }
  if (ce !== undefined) sel.value = String(ce);
  sel.disabled = !state.compare || eps.length === 0;
  renderPlayButton(playing);
}
