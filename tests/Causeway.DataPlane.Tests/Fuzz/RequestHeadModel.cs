using System.Text;

namespace Causeway.DataPlane.Tests.Fuzz;

/// <summary>
/// The reference model for the fast path's request-head parser: heads built from the simple grammar the fast path
/// relays (method, origin-form target without dot segments or escapes in the path, one Host, unique x- field names,
/// visible-ASCII values with optional whitespace around them, an optional 1*DIGIT Content-Length and Connection) are
/// accepted with exactly the parts they were built from; one mutation from the smuggling catalogue makes a head that
/// must not be accepted (and a Content-Length that is not 1*DIGIT must be rejected outright, not handed on).
/// </summary>
public static class RequestHeadModel
{
    private const string Lower = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static readonly string[] Methods = ["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH"];

    public static GeneratedHead WellFormed(Random r)
    {
        var method = Methods[r.Next(Methods.Length)];
        var path = new StringBuilder();
        for (var i = r.Next(0, 4); i >= 0; i--) path.Append('/').Append(Word(r, 0, 8, Lower + "-_~"));
        var target = path.ToString();
        if (r.Next(3) == 0) target += "?" + Word(r, 1, 6, Lower) + "=" + Word(r, 0, 6, Lower) + (r.Next(2) == 0 ? "%2F" : "");
        var host = Word(r, 1, 10, Lower) + ".example" + (r.Next(3) == 0 ? ":" + r.Next(1, 65536) : "");
        var lines = new List<string> { $"Host:{Ows(r)}{host}{Ows(r)}" };
        long? length = null;
        var close = false;
        for (var i = r.Next(0, 8); i > 0; i--)
            lines.Add($"X-F{lines.Count}-{Word(r, 1, 5, Lower)}:{Ows(r)}{Value(r)}{Ows(r)}");
        if (r.Next(2) == 0)
        {
            length = r.Next(0, 100000);
            lines.Add($"{(r.Next(2) == 0 ? "Content-Length" : "content-length")}: {length}");
        }
        if (r.Next(3) == 0)
        {
            close = r.Next(2) == 0;
            lines.Add("Connection: " + (close ? "close" : "keep-alive"));
        }
        var host0 = lines[0];
        lines.RemoveAt(0);
        lines.Insert(r.Next(lines.Count + 1), host0);
        var text = $"{method} {target} HTTP/1.1\r\n" + string.Concat(lines.Select(l => l + "\r\n")) + "\r\n";
        return new GeneratedHead(text, method, target, host, length, close, lines.Count, "well-formed");
    }

    /// <summary>The well-formed head with one defect; <c>Mutation</c> names it (prefix "reject:" when 400 is required).</summary>
    public static GeneratedHead Malformed(Random r)
    {
        var h = WellFormed(r);
        var body = h.Text[..^2]; // without the final empty line
        var lines = body.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).ToList();
        var pick = 1 + r.Next(lines.Count - 1); // a header line
        string mutation;
        switch (r.Next(14))
        {
            case 0:
                mutation = "bare LF";
                return h with { Text = string.Join("\r\n", lines.Take(pick)) + "\n" + string.Join("\r\n", lines.Skip(pick)) + "\r\n\r\n", Mutation = mutation };
            case 1:
                mutation = "bare CR in a value";
                lines.Add("X-Cr: a\rb");
                break;
            case 2:
                var ctl = (char)new[] { 0, 1, 8, 11, 12, 14, 27, 31, 127 }[r.Next(9)];
                mutation = $"control 0x{(int)ctl:x2} in a value";
                lines.Add($"X-Ctl: a{ctl}b");
                break;
            case 3:
                mutation = "control in a name";
                lines.Add("X-C\u0001tl: a");
                break;
            case 4:
                mutation = "space before the colon";
                lines[pick] = lines[pick].Insert(lines[pick].IndexOf(':', StringComparison.Ordinal), " ");
                break;
            case 5:
                mutation = "obs-fold";
                lines.Insert(pick + 1, " folded");
                break;
            case 6:
                var bad = new[] { "+5", "-1", "5 5", "5,5", "0x5", "", "5;", "1_0" }[r.Next(8)];
                mutation = $"reject: Content-Length \"{bad}\"";
                lines.RemoveAll(l => l.StartsWith("content-length", StringComparison.OrdinalIgnoreCase));
                lines.Insert(pick, "Content-Length: " + bad);
                break;
            case 7:
                mutation = "second Host";
                lines.Add("Host: other.example");
                break;
            case 8:
                mutation = "no Host";
                lines.RemoveAll(l => l.StartsWith("Host:", StringComparison.Ordinal));
                break;
            case 9:
                mutation = "Transfer-Encoding";
                lines.Insert(pick, new[] { "Transfer-Encoding: chunked", "Transfer-Encoding: xchunked", "transfer-encoding: chunked, identity" }[r.Next(3)]);
                break;
            case 10:
                mutation = "Expect";
                lines.Add("Expect: 100-continue");
                break;
            case 11:
                mutation = "HTTP/1.0";
                lines[0] = lines[0].Replace("HTTP/1.1", "HTTP/1.0", StringComparison.Ordinal);
                break;
            case 12:
                mutation = "non-ASCII in a value";
                lines.Add("X-Latin: caf\u00e9");
                break;
            default:
                mutation = "duplicate Content-Length";
                lines.Add("Content-Length: 1");
                lines.Add("Content-Length: 2");
                break;
        }
        return h with { Text = string.Concat(lines.Select(l => l + "\r\n")) + "\r\n", Mutation = mutation };
    }

    private static string Ows(Random r) => new[] { "", " ", "  ", "\t", " \t" }[r.Next(5)];

    private static string Value(Random r)
    {
        var sb = new StringBuilder();
        for (var i = r.Next(1, 20); i > 0; i--) sb.Append((char)r.Next(0x21, 0x7F));
        if (sb.Length > 2 && r.Next(3) == 0) sb.Insert(1, ' ');
        return sb.ToString();
    }

    private static string Word(Random r, int min, int max, string alphabet)
    {
        var sb = new StringBuilder();
        for (var i = r.Next(min, max + 1); i > 0; i--) sb.Append(alphabet[r.Next(alphabet.Length)]);
        return sb.ToString();
    }
}
