using System.Text;

namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// One request exactly as a raw backend received it: the request line, the header lines in order (names lower-cased,
/// values as sent, without surrounding whitespace), and the body after removing its framing (Content-Length or chunked;
/// the framing itself is visible in the headers).
/// </summary>
public sealed record BackendRequest(string RequestLine, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[] Body)
{
    public string Path => RequestLine.Split(' ') is { Length: > 1 } parts ? parts[1] : "";

    public string? Header(string name) => Headers.Where(h => h.Key == name).Select(h => h.Value).FirstOrDefault();

    public override string ToString()
    {
        var sb = new StringBuilder(RequestLine).Append('\n');
        foreach (var (n, v) in Headers) sb.Append(n).Append(": ").Append(v).Append('\n');
        return sb.Append("body[").Append(Body.Length).Append("]: ").Append(Encoding.ASCII.GetString(Body)).ToString();
    }
}
