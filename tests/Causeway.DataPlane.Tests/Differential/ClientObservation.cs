using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// What a client saw for one <see cref="DiffCase"/>, rendered as text so that a difference between transports reads as
/// a diff: per response the status line, the headers as (lower-cased name, value) in the order received, and the body
/// bytes with how they were framed; then, when the case drains, any bytes after the last response and whether the
/// connection was closed.
/// </summary>
/// <remarks>
/// Normalized, and why:
/// <list type="bullet">
/// <item>the value of <c>date</c>: a clock;</item>
/// <item>the gateway's own port where it appears in a value (a redirect's Location keeps the port the client used, and
/// each transport's gateway listens on its own port);</item>
/// <item>names are compared lower-cased: field names are case-insensitive (RFC 9110 5.1);</item>
/// <item>header lines are put in name order with a stable sort, so lines of the same name keep their relative order
/// (which is significant, RFC 9110 5.3) while the order of different names (which is not) may differ: Kestrel writes
/// the response headers it knows (Date, Content-Length, ...) from fixed slots before the others, the relays keep the
/// backend's order and append Date.</item>
/// </list>
/// </remarks>
public static class ClientObservation
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(400);

    public static async Task<string> CaptureAsync(int port, DiffCase c)
    {
        using var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.Latin1.GetBytes(c.Request), cts.Token);
        var reader = new ByteReader(stream, cts.Token);
        var sb = new StringBuilder();
        var ended = false;
        for (var i = 0; i < c.Responses && !ended; i++)
        {
            ended = await ReadResponseAsync(reader, c.Head, port, sb);
        }
        if (c.Drain && !ended)
        {
            var (tail, eof) = await reader.ReadRestAsync(Quiet);
            sb.Append("tail[").Append(tail.Length).Append("]: ").Append(Encoding.Latin1.GetString(tail)).Append('\n');
            sb.Append(eof ? "closed\n" : "open\n");
        }
        return sb.ToString();
    }

    /// <summary>Appends one response; true when the connection ended (EOF before or inside it).</summary>
    private static async Task<bool> ReadResponseAsync(ByteReader reader, bool head, int port, StringBuilder sb)
    {
        byte[]? headBytes;
        try
        {
            headBytes = await reader.ReadHeadAsync();
        }
        catch (IOException e)
        {
            sb.Append("EOF in head: ").Append(e.Message).Append('\n');
            return true;
        }
        if (headBytes is null)
        {
            sb.Append("EOF, no response\n");
            return true;
        }
        var lines = Encoding.Latin1.GetString(headBytes).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        sb.Append(lines[0]).Append('\n');
        var headers = lines.Skip(1).Select(l => (Name: l[..l.IndexOf(':', StringComparison.Ordinal)].ToLowerInvariant(),
            Value: l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim())).ToList();
        foreach (var (name, value) in headers.OrderBy(h => h.Name, StringComparer.Ordinal))
            sb.Append(name).Append(": ").Append(name == "date" ? "<date>" : value.Replace(":" + port.ToString(CultureInfo.InvariantCulture), ":<port>", StringComparison.Ordinal)).Append('\n');
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        if (status is >= 100 and < 200)
        {
            sb.Append("(interim)\n");
            return await ReadResponseAsync(reader, head, port, sb);
        }
        if (head || status is 204 or 304) return false;
        var te = headers.Where(h => h.Name == "transfer-encoding").Select(h => h.Value).FirstOrDefault();
        var cl = headers.Where(h => h.Name == "content-length").Select(h => h.Value).FirstOrDefault();
        try
        {
            if (te is not null)
            {
                sb.Append("body (chunked): ").Append(Encoding.Latin1.GetString(await reader.ReadChunkedAsync())).Append('\n');
                return false;
            }
            if (cl is not null)
            {
                sb.Append("body (length): ").Append(Encoding.Latin1.GetString(await reader.ReadExactlyAsync(int.Parse(cl, CultureInfo.InvariantCulture)))).Append('\n');
                return false;
            }
            var (rest, _) = await reader.ReadRestAsync();
            sb.Append("body (close): ").Append(Encoding.Latin1.GetString(rest)).Append('\n');
            return true;
        }
        catch (Exception e) when (e is IOException or FormatException)
        {
            sb.Append("body cut short: ").Append(e.Message).Append('\n');
            return true;
        }
    }
}
