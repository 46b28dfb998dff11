// @ts-check
import { admin } from './api.js';
import { announce, field, h } from './dom.js';

/** @param {HTMLElement} view */
export async function clockView(view) {
  const clock = await admin('/clock');
  /** @param {object} body */
  const move = async (body) => {
    try {
      const moved = await admin('/clock', { method: 'POST', body });
      announce(`Clock now ${moved.now}`);
    } catch (error) {
      announce(`Clock: ${String(error)}`);
    }
    await clockView(view);
  };
  const advance = h('input', {
    id: 'clock-advance',
    name: 'advance',
    value: 'P1D',
    required: true,
    'aria-describedby': 'advance-help',
  });
  const set = h('input', { id: 'clock-set', name: 'set', value: clock.now, required: true });
  view.replaceChildren(
    h('h2', {}, 'Clock'),
    h(
      'dl',
      { class: 'clock' },
      h('dt', {}, 'Now'),
      h('dd', {}, h('time', { id: 'clock-now', datetime: clock.now }, clock.now)),
      h('dt', {}, 'Offset from real time'),
      h('dd', { id: 'clock-offset' }, `${clock.offsetMs} ms`),
      h('dt', {}, 'Frozen'),
      h('dd', { id: 'clock-frozen' }, clock.frozen ? 'yes' : 'no'),
    ),
    h(
      'form',
      {
        'aria-labelledby': 'advance-title',
        onsubmit: (/** @type {Event} */ event) => {
          event.preventDefault();
          void move({ advance: /** @type {HTMLInputElement} */ (advance).value.trim() });
        },
      },
      h('h3', { id: 'advance-title' }, 'Advance'),
      field('ISO 8601 duration', advance),
      h('p', { id: 'advance-help', class: 'help' }, 'For example P15D, PT1H, P1M.'),
      h('button', { type: 'submit' }, 'Advance'),
    ),
    h(
      'form',
      {
        'aria-labelledby': 'set-title',
        onsubmit: (/** @type {Event} */ event) => {
          event.preventDefault();
          void move({ set: /** @type {HTMLInputElement} */ (set).value.trim() });
        },
      },
      h('h3', { id: 'set-title' }, 'Set'),
      field('Instant (ISO 8601)', set),
      h('button', { type: 'submit' }, 'Set'),
    ),
    h(
      'p',
      {},
      h(
        'button',
        { type: 'button', onclick: () => move({ frozen: true }), disabled: clock.frozen },
        'Freeze',
      ),
      ' ',
      h(
        'button',
        { type: 'button', onclick: () => move({ frozen: false }), disabled: !clock.frozen },
        'Unfreeze',
      ),
    ),
  );
}
