namespace Driftwatch.Web.Pages;

/// <summary>The dashboard's one style sheet, inline in every page (no file to fetch, works in a static report too).</summary>
internal static class PageStyle
{
    public const string Css = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem auto;max-width:1100px;padding:0 1rem;color:#212121;line-height:1.4}
        h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1rem}
        a{color:#1565c0}.muted{color:#757575;font-weight:normal}
        table{border-collapse:collapse;margin:.5rem 0;font-size:.9rem}th,td{padding:.25rem .6rem;border-bottom:1px solid #e0e0e0;text-align:left;vertical-align:top}
        th{background:#fafafa}
        .status{padding:.1rem .5rem;border-radius:.8rem;font-size:.8rem;font-weight:600;color:#fff}
        .status.ok{background:#2e7d32}.status.warning{background:#f9a825;color:#212121}.status.degraded{background:#c62828}.status.improved{background:#1565c0}.status.insufficient{background:#757575}
        .outcome{display:inline-block;padding:0 .35rem;border-radius:.2rem;color:#fff;font-size:.8rem;text-decoration:none}
        .outcome.pass{background:#2e7d32;color:#fff}.outcome.fail{background:#c62828;color:#fff}.outcome.timeout{background:#ef6c00;color:#fff}.outcome.error{background:#9e9e9e;color:#fff}
        .fail{color:#c62828}.pass{color:#2e7d32}
        .synthetic{font-size:.75rem;color:#6a1b9a;margin-left:.3rem}
        figure.chart{margin:.5rem 0;overflow-x:auto}
        .legend{font-size:.8rem;color:#616161}.key{display:inline-block;width:14px;height:10px;margin:0 .2rem 0 .8rem;vertical-align:middle}
        .key.line{background:#1565c0;height:3px}.key.band{background:#90caf9}.key.baseline{border-top:2px dashed #6a1b9a;height:0}
        .key.change{background:#ff8f00;width:3px}.key.alarm{background:#c62828;width:3px}.key.version{border-left:2px dotted #455a64;width:0}
        .key.pass{background:#2e7d32}.key.fail{background:#c62828}.key.timeout{background:#ef6c00}.key.error{background:#9e9e9e}
        dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;font-size:.9rem}dl.facts dt{color:#757575}dl.facts dd{margin:0}
        pre{background:#f5f5f5;padding:.6rem;overflow-x:auto;font-size:.8rem;white-space:pre-wrap;word-break:break-word}
        pre.diff .add{color:#1b5e20;background:#e8f5e9}pre.diff .del{color:#b71c1c;background:#ffebee}pre.diff .hunk{color:#6a1b9a}pre.diff .file{font-weight:bold}
        .turn{border-left:3px solid #bdbdbd;padding:.2rem .8rem;margin:.6rem 0}.turn.assistant{border-color:#1565c0}.turn.tool{border-color:#ef6c00}.turn.result{border-color:#2e7d32}.turn.system{border-color:#9e9e9e}
        .turn .who{font-size:.75rem;color:#757575;text-transform:uppercase;letter-spacing:.05em}
        .flag{display:inline-block;margin-left:.25rem;padding:0 .35rem;border-radius:.2rem;font-size:.75rem;font-weight:600;border:1px solid;white-space:nowrap}
        .flag.suspect{background:#b71c1c;border-color:#7f0000;color:#fff}.flag.fallback{background:#ede7f6;border-color:#5e35b1;color:#4527a0}
        .flag.refusal{background:#eceff1;border-color:#455a64;color:#263238}.flag.other{background:#fff;border-color:#9e9e9e;color:#616161}
        h1 .flag{font-size:.9rem;vertical-align:middle}
        .flagged{border-left:4px solid #f9a825;background:#fff8e1;padding:.4rem .8rem;margin:.8rem 0}.flagged.suspect{border-left-color:#b71c1c}
        .flagged ul{margin:.3rem 0;padding-left:1.2rem}.flagged h2{margin-top:.2rem}.flagged li{margin:.2rem 0}.flagged p{margin:.4rem 0 .2rem}
        strong.count.suspect{color:#b71c1c}strong.count.fallback{color:#4527a0}strong.count.refusal{color:#263238}
        .served.fallback{color:#4527a0;font-weight:600}
        .key.mark-suspect{background:#b71c1c;width:9px;height:9px}.key.mark-fallback{background:#5e35b1;width:9px;height:9px}.key.mark-refusal{background:#455a64;width:9px;height:9px}
        footer{margin-top:3rem;font-size:.8rem}
        figure.chart svg{max-width:100%;height:auto}figure.chart svg.trend{width:100%;height:auto;display:block}
        .scroll{overflow-x:auto;max-width:100%}
        table.matrix td,table.matrix th{text-align:center;white-space:nowrap}table.matrix th[scope=row]{text-align:left;font-weight:normal}
        table.matrix td a{color:#212121;text-decoration:none;display:block}
        form.filters{display:flex;flex-wrap:wrap;gap:.4rem 1rem;align-items:end;background:#fafafa;border:1px solid #e0e0e0;padding:.5rem .8rem;margin:.8rem 0;font-size:.9rem}
        form.filters fieldset{border:0;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:.2rem .8rem}form.filters legend{color:#757575;padding:0}
        form.filters label{display:flex;flex-direction:column;gap:.1rem;color:#616161}form.filters fieldset label{flex-direction:row;color:#212121}
        form.filters input,form.filters select,form.filters button{font:inherit}
        .views .view{margin-right:.6rem}.views .current{border-bottom:2px solid #1565c0}
        .key.statistic{background:#37474f;height:3px}.key.limit{border-top:2px dashed #c62828;height:0}
        .trigger{margin-left:.5rem;padding:.05rem .45rem;border:1px solid #c62828;border-radius:.2rem;color:#c62828;font-size:.75rem;font-weight:600;vertical-align:middle}
        .triggered-by{margin-left:.35rem;font-size:.8rem;color:#616161}
        article.signal{border-top:1px solid #e0e0e0;margin-top:1rem}article.signal.triggered{border-left:4px solid #c62828;padding-left:.6rem}
        .key.input{background:#00838f;height:3px}.key.output{background:#6a1b9a;height:3px}.key.cost{background:#ef6c00;height:3px}
        @media (max-width:640px){body{margin:.8rem auto;padding:0 .6rem}h1{font-size:1.2rem}table{font-size:.8rem}th,td{padding:.2rem .35rem}dl.facts{grid-template-columns:1fr}dl.facts dt{margin-top:.3rem}figure.chart svg.trend{min-width:540px}table{display:block;overflow-x:auto;max-width:100%}}
        """;
}
