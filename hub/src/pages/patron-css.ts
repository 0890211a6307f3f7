/** The patron pages' one stylesheet, inline so a slow link loads one document. Phone first. */
export const PATRON_CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1f2933;background:#f5f7fa}
header{display:flex;gap:.5rem;align-items:flex-start;justify-content:space-between;padding:.8rem 1rem;background:#1d4ed8;color:#fff}
header>div{min-width:0}header h1{margin:0;font-size:1.3rem;overflow-wrap:anywhere}header p{margin:0;opacity:.9;font-size:.9rem;overflow-wrap:anywhere}
.lang{color:#fff;border:1px solid #fff;border-radius:.4rem;padding:.2rem .6rem;text-decoration:none;white-space:nowrap}
main{max-width:34rem;margin:0 auto;padding:.8rem}
.card,.rules{background:#fff;border:1px solid #d9e2ec;border-radius:.8rem;padding:.8rem;margin:0 0 .8rem}
.rules ul{margin:.3rem 0;padding-left:1.2rem}.rules p{margin:.2rem 0}
.mode{display:inline-block;padding:0 .5rem;border-radius:1rem;background:#e0f2fe;color:#075985;font-weight:700}
.mode.emergency{background:#7f1d1d;color:#fff}
legend{font-weight:700;font-size:1.1rem;padding:0 .3rem}
fieldset{min-width:0}
h2{font-size:1.05rem;margin:0 0 .3rem}
.small{font-size:.85rem;color:#52606d}
.centred{text-align:center}
.field{margin:.5rem 0}.label{display:block;margin:0 0 .2rem;font-weight:600}
fieldset.field{border:0;padding:0}fieldset.field>legend{font-size:1rem;padding:0}
.choices{display:flex;flex-wrap:wrap;gap:.4rem}
.choice{display:flex;align-items:center;gap:.3rem;border:2px solid #cbd2d9;border-radius:.6rem;padding:.45rem .7rem;min-height:2.75rem;background:#fff}
.choice:has(input:checked){border-color:#1d4ed8;background:#eff6ff;font-weight:700}
.choice.green:has(input:checked){border-color:#15803d;background:#dcfce7}
.choice.yellow:has(input:checked){border-color:#ca8a04;background:#fef9c3}
.choice.red:has(input:checked){border-color:#b91c1c;background:#fee2e2}
input[type=tel],input[type=datetime-local],input:not([type]){width:100%;font-size:1.05rem;padding:.55rem;border:2px solid #cbd2d9;border-radius:.6rem}
.check{display:flex;gap:.5rem;align-items:flex-start;font-weight:600}.check input{width:1.4rem;height:1.4rem;flex:none}
.err{display:block;color:#b91c1c;font-weight:600;min-height:0}
.invalid{outline:2px solid #b91c1c;outline-offset:2px;border-radius:.6rem}
button{font:inherit;cursor:pointer}
.primary{width:100%;min-height:3.2rem;font-size:1.2rem;font-weight:700;color:#fff;background:#15803d;border:0;border-radius:.8rem}
.primary[disabled]{opacity:.5}
.secondary{width:100%;min-height:2.75rem;margin:0 0 .8rem;border:2px dashed #9aa5b1;border-radius:.8rem;background:#fff}
.link{border:0;background:none;color:#1d4ed8;text-decoration:underline;padding:.2rem}
.remove{float:right}
.notice{padding:.8rem;border-radius:.8rem;font-weight:700}
.verdict{border-radius:1rem;padding:1rem;color:#fff;text-align:center;margin:0 0 .8rem;position:relative;overflow:hidden}
.verdict strong{display:block;font-size:2.2rem;line-height:1.2}
.enter{background:#15803d}.staff{background:#b45309}.refuse{background:#b91c1c;color:#fff}
.clock{font-size:2.4rem;font-weight:800;font-variant-numeric:tabular-nums;letter-spacing:.05em}
.sweep{position:absolute;top:0;bottom:0;width:30%;background:linear-gradient(90deg,transparent,rgba(255,255,255,.35),transparent);animation:sweep 2.4s linear infinite}
@keyframes sweep{from{left:-30%}to{left:100%}}
.code{font:800 2.4rem/1.1 ui-monospace,Menlo,Consolas,monospace;letter-spacing:.15em;text-align:center}
.qr{display:flex;justify-content:center}.qr svg{width:min(80vw,20rem);height:auto;background:#fff}
.people{list-style:none;padding:0;margin:0}.people li{padding:.3rem 0;border-top:1px solid #e4e7eb}
.meta{display:grid;grid-template-columns:auto 1fr;gap:.1rem .8rem;margin:0}.meta dt{color:#52606d}.meta dd{margin:0;font-weight:600}
body.expired .qr,body.expired .code-hint{display:none}body.expired .code{color:#52606d;text-decoration:line-through}
.expired-state{display:none;border:3px solid #52606d;border-radius:1rem;padding:1rem;margin:0 0 .8rem;background:#e4e7eb;color:#1f2933;text-align:center}
.expired-state strong{display:block;font-size:2.2rem;line-height:1.2}
body.expired .expired-state{display:block}body.expired .verdict,body.expired .people{display:none}
`;
