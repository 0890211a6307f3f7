import { css } from 'lit';

/** What every dashboard element shares: dense tables, buttons, status colours, error lines. */
export const base = css`
  :host {
    display: block;
    font: 14px/1.45 system-ui, -apple-system, 'PingFang SC', 'Microsoft YaHei', 'Noto Sans CJK SC', sans-serif;
    color: #1c2430;
    --line: #d8dee6;
    --muted: #5d6b7b;
    --accent: #1f5fbf;
    --clear: #2e7d32;
    /* 5.2:1 under white chip text (WCAG AA needs 4.5:1; the brighter #c77700 gave 3.46:1). */
    --warning: #9e5d00;
    --violation: #c62828;
    --closed: #546e7a;
    --offline: #6a1b9a;
  }
  h2 { font-size: 17px; margin: 0 0 8px; }
  h3 { font-size: 15px; margin: 16px 0 6px; }
  a { color: var(--accent); text-decoration: none; }
  a:hover { text-decoration: underline; }
  button, select, input {
    font: inherit;
    border: 1px solid var(--line);
    border-radius: 4px;
    background: #fff;
    padding: 4px 10px;
    min-height: 32px;
    color: inherit;
  }
  button { cursor: pointer; background: #f4f6f9; }
  button:hover:not(:disabled) { background: #e8edf3; }
  button:disabled { opacity: 0.5; cursor: default; }
  button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
  /* As specific as the hover above, so a primary button darkens instead of turning pale under white text. */
  button.primary:hover:not(:disabled) { background: #174a96; border-color: #174a96; }
  button.small { min-height: 26px; padding: 2px 8px; font-size: 13px; }
  button.link { border: 0; background: none; color: var(--accent); padding: 0; min-height: 0; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  th, td { border-bottom: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
  th { font-weight: 600; color: var(--muted); font-size: 13px; white-space: nowrap; background: #f7f9fb; }
  td.n, th.n { text-align: right; }
  .muted { color: var(--muted); }
  .error { color: var(--violation); background: #fdecea; border: 1px solid #f5c2bd; padding: 8px 10px; border-radius: 4px; }
  .panel { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 12px; }
  .chip { display: inline-block; padding: 0 6px; border-radius: 10px; font-size: 12px; line-height: 20px; white-space: nowrap; color: #fff; background: var(--muted); }
  .s-clear { background: var(--clear); }
  .s-warning, .s-acknowledged, .s-rectification_ordered { background: var(--warning); }
  .s-violation, .s-open, .s-escalated { background: var(--violation); }
  .s-closed, .s-withdrawn, .s-info { background: var(--closed); }
  .s-kiosk_offline { background: var(--offline); }
  .s-no_data { background: #fff; color: #1c2430; border: 1px dashed var(--muted); line-height: 18px; }
  .s-suspended { background: #4a148c; }
  .s-rectified { background: var(--clear); }
  .row { display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }
`;
