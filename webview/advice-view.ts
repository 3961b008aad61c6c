/**
 * The sweep view's advice banner: "Stop these N runs now, saving about M epochs of compute", the
 * runs named with the host's reason for each, a button to show each run and one to stop it. The
 * advice is the host's (RunSummary.advice); this only sums it (sweep-model.ts adviceSummary).
 */
import type { RunSummary } from '../src/shared/dashboard-protocol';
import { h } from './dom';
import { adviceSummary, adviceText } from './sweep-model';

/** More advised runs than this: the list is folded under the sentence. */
const FOLD_ABOVE = 4;

export interface AdviceCallbacks {
  select(runId: string): void;
  stop(runId: string): void;
}

/** Fills #advice-banner (hidden when no run is advised to stop). */
export function renderAdvice(el: HTMLElement, runs: readonly RunSummary[], stopRequested: ReadonlySet<string>, cb: AdviceCallbacks): void {
  const a = adviceSummary(runs);
  const active = document.activeElement instanceof HTMLElement && el.contains(document.activeElement) ? document.activeElement : null;
  const refocus = active ? `button.${active.classList.contains('advice-stop') ? 'advice-stop' : 'advice-run'}[data-run-id="${CSS.escape(active.dataset.runId ?? '')}"]` : null;
  el.hidden = a.runs.length === 0;
  if (a.runs.length === 0) {
    el.replaceChildren();
    return;
  }
  const list = h('ul', { class: 'advice-list' });
  for (const r of a.runs) {
    const show = h('button', { class: 'link-button advice-run', type: 'button', 'data-run-id': r.id, title: `Show ${r.name} in the table` }, r.name);
    show.addEventListener('click', () => {
      cb.select(r.id);
      document.querySelector<HTMLElement>(`tr.run-row[data-run-id="${CSS.escape(r.id)}"]`)?.focus();
    });
    const requested = stopRequested.has(r.id);
    const stop = h('button', { class: 'icon-button advice-stop', type: 'button', 'data-run-id': r.id, disabled: requested, 'aria-label': `Stop ${r.name}` }, requested ? 'Stopping…' : 'Stop');
    stop.addEventListener('click', () => cb.stop(r.id));
    const saved = r.advice!.epochsSaved;
    list.append(
      h(
        'li',
        { 'data-run-id': r.id },
        show,
        h('span', { class: 'advice-reason' }, ` — ${r.advice!.reason}`),
        h('span', { class: 'muted small' }, typeof saved === 'number' ? ` (saves ${saved} epoch${saved === 1 ? '' : 's'})` : ' (saving unknown)'),
        ' ',
        stop,
      ),
    );
  }
  const head = h('div', { class: 'advice-head' }, h('strong', { id: 'advice-text' }, adviceText(a)));
  // A long list folds away; a short one is shown as it is.
  if (a.runs.length <= FOLD_ABOVE) el.replaceChildren(head, list);
  else {
    const wasOpen = el.querySelector<HTMLDetailsElement>('details.advice-more')?.open ?? false;
    el.replaceChildren(head, h('details', { class: 'advice-more', open: wasOpen }, h('summary', {}, `the ${a.runs.length} runs and why`), list));
  }
  // A disabled Stop (just pressed) cannot take focus back: its run's name does.
  if (refocus) (el.querySelector<HTMLButtonElement>(`${refocus}:not(:disabled)`) ?? el.querySelector<HTMLElement>(refocus.replace('advice-stop', 'advice-run')))?.focus();
}
