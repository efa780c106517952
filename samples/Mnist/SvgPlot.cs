using System.Globalization;
using System.Text;

namespace MnistSample;

/// <summary>A minimal SVG line chart (no plotting library is available): one panel per series group, epochs on x.</summary>
internal static class SvgPlot
{
    private const int PanelWidth = 420, PanelHeight = 260, Margin = 48;
    private static readonly string[] Colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

    /// <summary>Writes panels side by side; each panel is a title and named series of per-epoch values.</summary>
    public static void Write(string path, IReadOnlyList<(string Title, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> Series)> panels)
    {
        var sb = new StringBuilder();
        int width = panels.Count * (PanelWidth + Margin) + Margin, height = PanelHeight + 2 * Margin;
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        for (int p = 0; p < panels.Count; p++) Panel(sb, Margin + p * (PanelWidth + Margin), Margin, panels[p].Title, panels[p].Series);
        sb.Append("</svg>\n");
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, sb.ToString());
        File.Move(tmp, path, overwrite: true);
    }

    private static void Panel(StringBuilder sb, int x0, int y0, string title, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        double min = double.MaxValue, max = double.MinValue;
        int points = 0;
        foreach (var (_, values) in series)
            foreach (double v in values)
                if (double.IsFinite(v))
                {
                    min = Math.Min(min, v);
                    max = Math.Max(max, v);
                    points = Math.Max(points, values.Count);
                }
        if (points == 0) return;
        if (max - min < 1e-12) { max += 0.5; min -= 0.5; }
        double pad = (max - min) * 0.05;
        min -= pad;
        max += pad;
        string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
        double X(int i) => x0 + (points == 1 ? PanelWidth / 2.0 : i * (double)PanelWidth / (points - 1));
        double Y(double v) => y0 + PanelHeight - (v - min) / (max - min) * PanelHeight;

        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + PanelWidth / 2}\" y=\"{y0 - 16}\" text-anchor=\"middle\" font-size=\"14\">{title}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x0}\" y=\"{y0}\" width=\"{PanelWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#888\"/>\n");
        for (int t = 0; t <= 4; t++)
        {
            double v = min + (max - min) * t / 4;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 - 4}\" y=\"{F(Y(v) + 4)}\" text-anchor=\"end\">{v.ToString("G3", CultureInfo.InvariantCulture)}</text>\n");
        }
        for (int i = 0; i < points; i++)
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{F(X(i))}\" y=\"{y0 + PanelHeight + 16}\" text-anchor=\"middle\">{i + 1}</text>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + PanelWidth / 2}\" y=\"{y0 + PanelHeight + 34}\" text-anchor=\"middle\">epoch</text>\n");
        for (int s = 0; s < series.Count; s++)
        {
            var (name, values) = series[s];
            string color = Colors[s % Colors.Length];
            var pts = new StringBuilder();
            for (int i = 0; i < values.Count; i++)
                if (double.IsFinite(values[i])) pts.Append(F(X(i))).Append(',').Append(F(Y(values[i]))).Append(' ');
            sb.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{pts.ToString().TrimEnd()}\"/>\n");
            for (int i = 0; i < values.Count; i++)
                if (double.IsFinite(values[i]))
                    sb.Append(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(i))}\" cy=\"{F(Y(values[i]))}\" r=\"3\" fill=\"{color}\"/>\n");
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x0 + 8}\" y=\"{y0 + 16 + 14 * s}\" fill=\"{color}\">{name}</text>\n");
        }
    }
}
