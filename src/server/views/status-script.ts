/** The console's one script (served as /static/status.js): the live step table, polled until the onboarding ends. */
export const STATUS_SCRIPT = `
(() => {
  const table = document.getElementById('steps');
  if (!table) return;
  const ended = ['completed', 'failed', 'rejected', 'timed-out', 'cancelled'];
  const name = table.dataset.integration;
  const cell = (text, className) => {
    const td = document.createElement('td');
    td.textContent = text ?? '';
    if (className) td.className = className;
    return td;
  };
  const tick = async () => {
    const response = await fetch(\`/api/requests/\${encodeURIComponent(name)}/status\`, { credentials: 'same-origin' });
    if (!response.ok) return;
    const status = await response.json();
    const body = table.querySelector('tbody');
    body.replaceChildren(
      ...status.steps.map((s) => {
        const state = s.state === 'pending' && ended.includes(status.phase) ? 'not run' : s.state;
        const tr = document.createElement('tr');
        const code = document.createElement('code');
        code.textContent = s.step;
        const first = cell('');
        first.append(code);
        tr.append(first, cell(state, \`state-\${state}\`), cell(s.startedAt), cell(s.endedAt), cell(s.detail));
        return tr;
      }),
    );
    document.getElementById('phase').textContent = status.phase;
    const before = table.dataset.phase;
    table.dataset.phase = status.phase;
    // A decision or the end changes what the page offers (buttons, runbook link): load it again.
    if (before !== status.phase && (before === 'awaiting-approval' || ended.includes(status.phase))) location.reload();
  };
  const loop = async () => {
    await tick().catch(() => undefined);
    if (!ended.includes(table.dataset.phase)) setTimeout(loop, 2000);
  };
  if (!ended.includes(table.dataset.phase)) setTimeout(loop, 2000);
})();
`;
