// The report's inline style sheet: no web fonts, no JavaScript, readable from 380 px up.
//
// Layout rules that keep narrow screens readable:
//   * every table sits in a `.scroll` box that scrolls horizontally inside the page;
//   * long words (feature names) wrap anywhere in running text;
//   * each chart is rendered twice, at 720 px (`.wide`) and 360 px (`.narrow`), and the media
//     query shows the one that fits, so chart text is never scaled down to an unreadable size.

enum ReportStyle {
    /// Below this page width the narrow charts are shown.
    static let narrowBreakpoint = 640

    static let css = """
    *,*::before,*::after{box-sizing:border-box}
    html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
    body{margin:0;background:#f4f5f7;color:#1d1d1f;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif}
    main{max-width:1100px;margin:0 auto;padding:16px 12px 48px}
    h1{font-size:1.5rem;margin:.2em 0 .1em;overflow-wrap:anywhere}
    h2{font-size:1.2rem;margin:0 0 .5em}
    h3{font-size:1.02rem;margin:0 0 .4em;overflow-wrap:anywhere}
    p,li,dd,dt,figcaption,h1,h2,h3{overflow-wrap:anywhere}
    .sub{color:#555;margin:0 0 12px}
    nav{display:flex;flex-wrap:wrap;gap:6px 14px;margin:0 0 14px;font-size:.9rem}
    nav a{color:#0b5cad;text-decoration:none}
    section{background:#fff;border:1px solid #e2e4e8;border-radius:8px;padding:14px;margin:0 0 16px;min-width:0}
    .note{color:#555;font-size:.88rem}
    .lead{font-size:1.02rem;margin:0 0 8px}
    .math{font-family:'STIX Two Math','Cambria Math',Georgia,serif;white-space:nowrap}
    .stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,150px),1fr));gap:8px;margin:8px 0 12px}
    .stat{border:1px solid #e6e8ec;border-radius:6px;padding:6px 9px;min-width:0}
    .stat .k{display:block;color:#555;font-size:.8rem}
    .stat .v{display:block;font-size:1.1rem;font-weight:600;font-variant-numeric:tabular-nums;overflow-wrap:anywhere}
    .grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,420px),1fr));gap:12px}
    figure{margin:8px 0;min-width:0}
    figure svg{display:block;width:100%;height:auto}
    figcaption{color:#555;font-size:.85rem;margin-top:4px}
    .narrow{display:none}
    @media (max-width:\(narrowBreakpoint)px){.wide{display:none}.narrow{display:block}main{padding:10px 6px 32px}section{padding:10px}}
    .scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch;margin:6px 0}
    table{border-collapse:collapse;font-size:.86rem;font-variant-numeric:tabular-nums}
    th,td{padding:3px 8px;border-bottom:1px solid #eceef1;text-align:right;white-space:nowrap}
    th{background:#f7f8fa;font-weight:600}
    td.name,th.name{text-align:left}
    .card{border:1px solid #e2e4e8;border-radius:8px;padding:10px;margin:10px 0;min-width:0}
    .badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:.8rem;font-weight:600;white-space:nowrap}
    .inside{background:#e3f1ea;color:#17603a}.marginband{background:#fdf1dc;color:#8a5300}.outside{background:#fbe3de;color:#9b2c14}
    img.pixel{image-rendering:pixelated;image-rendering:crisp-edges;width:100%;max-width:224px;height:auto;\
    display:block;border:1px solid #ddd}
    footer{color:#555;font-size:.85rem}
    """
}
