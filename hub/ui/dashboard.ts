/** The inspectors' dashboard: the hub's /dashboard/ page loads this one script. */
import './dashboard/inspector-dashboard.js';

// @page cannot live in a shadow root: the weekly report prints on A4 from here. A constructed
// sheet, not a <style> element, so it needs no CSP exception.
const page = new CSSStyleSheet();
page.replaceSync('@page { size: A4; margin: 12mm; } @media print { body { margin: 0; background: #fff; } } body { margin: 0; background: #eef1f5; }');
document.adoptedStyleSheets = [...document.adoptedStyleSheets, page];
