using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>One HTTP/1.1 response read off a raw socket: status line, headers (lower-case names, in order) and body.</summary>
public sealed record RawResponse(string StatusLine, List<KeyValuePair<string, string>> Headers, byte[] Body, bool Chunked)
{
    public int Status => int.Parse(StatusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    public string? Header(string name) => Headers.Where(h => h.Key == name).Select(h => h.Value).FirstOrDefault();
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>A raw HTTP/1.1 client connection (exact bytes out, strict response parsing in), with timeouts.</summary>
public sealed class RawClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly List<byte> _pending = [];

    private RawClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawClient> ConnectAsync(int port)
    {
        var tcp = new TcpClient { NoDelay = true };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tcp.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        return new RawClient(tcp);
    }

    public NetworkStream Stream => _stream;

    public async Task SendAsync(string text)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _stream.WriteAsync(Encoding.ASCII.GetBytes(text), cts.Token);
    }

    /// <summary>Reads one response; HEAD/204/304 have no body; without length or chunking the body runs to EOF.</summary>
    public async Task<RawResponse> ReadResponseAsync(bool head = false)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var headText = Encoding.ASCII.GetString(await ReadUntilAsync("\r\n\r\n"u8.ToArray(), cts.Token));
        var lines = headText.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var headers = lines.Skip(1).Select(l => new KeyValuePair<string, string>(l[..l.IndexOf(':')].ToLowerInvariant(), l[(l.IndexOf(':') + 1)..].Trim())).ToList();
        var response = new RawResponse(lines[0], headers, [], false);
        var status = response.Status;
        if (head || status is 204 or 304 || status < 200) return response;
        if (response.Header("transfer-encoding") == "chunked")
        {
            var body = new List<byte>();
            while (true)
            {
                var sizeLine = Encoding.ASCII.GetString(await ReadUntilAsync("\r\n"u8.ToArray(), cts.Token)).TrimEnd();
                var size = Convert.ToInt32(sizeLine.Split(';')[0], 16);
                if (size == 0)
                {
                    while ((await ReadUntilAsync("\r\n"u8.ToArray(), cts.Token)).Length > 2) { }
                    return response with { Body = [.. body], Chunked = true };
                }
                body.AddRange(await ReadExactlyAsync(size, cts.Token));
                await ReadExactlyAsync(2, cts.Token);
            }
        }
        if (response.Header("content-length") is { } cl) return response with { Body = await ReadExactlyAsync(int.Parse(cl, System.Globalization.CultureInfo.InvariantCulture), cts.Token) };
        var rest = new List<byte>(_pending);
        _pending.Clear();
        var buffer = new byte[8192];
        int n;
        while ((n = await _stream.ReadAsync(buffer, cts.Token)) > 0) rest.AddRange(buffer.AsSpan(0, n).ToArray());
        return response with { Body = [.. rest] };
    }

    /// <summary>Exactly <paramref name="count"/> bytes past what was read so far (an upgraded connection's payload), within 15 s.</summary>
    public async Task<byte[]> ReadBytesAsync(int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await ReadExactlyAsync(count, cts.Token);
    }

    /// <summary>True when the server closed the connection (EOF) within the timeout.</summary>
    public async Task<bool> IsClosedAsync(TimeSpan timeout)
    {
        if (_pending.Count > 0) return false;
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            var buffer = new byte[1];
            return await _stream.ReadAsync(buffer, cts.Token) == 0;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private async Task<byte[]> ReadUntilAsync(byte[] delimiter, CancellationToken ct)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var idx = IndexOf(_pending, delimiter);
            if (idx >= 0)
            {
                var result = _pending.GetRange(0, idx + delimiter.Length).ToArray();
                _pending.RemoveRange(0, idx + delimiter.Length);
                return result;
            }
            var n = await _stream.ReadAsync(buffer, ct);
            if (n == 0) throw new IOException("connection closed; got: " + Encoding.ASCII.GetString([.. _pending]));
            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int count, CancellationToken ct)
    {
        var buffer = new byte[8192];
        while (_pending.Count < count)
        {
            var n = await _stream.ReadAsync(buffer, ct);
            if (n == 0) throw new IOException("connection closed in a body");
            _pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        var result = _pending.GetRange(0, count).ToArray();
        _pending.RemoveRange(0, count);
        return result;
    }

    private static int IndexOf(List<byte> data, byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= data.Count; i++)
        {
            var ok = true;
            for (var j = 0; j < pattern.Length && ok; j++) ok = data[i + j] == pattern[j];
            if (ok) return i;
        }
        return -1;
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A scripted HTTP/1.1 backend on 127.0.0.1:0: for every request (head plus Content-Length body) it records the head
/// and writes what <see cref="Respond"/> returns; it counts connections and closes one after a response when asked.
/// With <see cref="Upgraded"/> set, a 101 response hands the connection over to it (an upgraded protocol).
/// </summary>
public sealed class RawBackend : LoopbackServer
{
    public RawBackend(Func<string, (string Response, bool Close)> respond)
    {
        Respond = respond;
    }

    /// <summary>A 200 response with a Content-Length body (and <paramref name="extra"/> header lines, each ending in CRLF).</summary>
    public static string Ok(string body, string extra = "") =>
        $"HTTP/1.1 200 OK\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n{extra}\r\n{body}";

    /// <summary>A backend that answers every request with the same response, keeping the connection.</summary>
    public static RawBackend Always(string response) => new(_ => (response, false));

    public Func<string, (string Response, bool Close)> Respond { get; set; }

    /// <summary>
    /// When set, a response whose status line is 101 hands the connection to this after it is written: the stream, the
    /// bytes already read past the request, and the stop token. The connection ends when it returns.
    /// </summary>
    public Func<NetworkStream, byte[], CancellationToken, Task>? Upgraded { get; init; }

    /// <summary>Every request head as received, through its closing CRLFCRLF.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    protected override async Task ServeAsync(TcpClient client, int number)
    {
        var stream = client.GetStream();
        var pending = new List<byte>();
        while (await ReadRequestAsync(stream, pending, Stopping) is { } head)
        {
            Requests.Enqueue(head);
            var (response, close) = Respond(head);
            await stream.WriteAsync(Encoding.ASCII.GetBytes(response), Stopping);
            if (Upgraded is { } upgraded && response.StartsWith("HTTP/1.1 101 ", StringComparison.Ordinal))
            {
                await upgraded(stream, [.. pending], Stopping);
                return;
            }
            if (close) return;
        }
    }

    /// <summary>
    /// Reads one request off <paramref name="stream"/> (head, then a Content-Length body, which is dropped), keeping what
    /// was read past it in <paramref name="pending"/>; the head as ASCII through its CRLFCRLF, or null on EOF.
    /// </summary>
    public static async Task<string?> ReadRequestAsync(Stream stream, List<byte> pending, CancellationToken ct)
    {
        var buffer = new byte[65536];
        int end;
        while ((end = IndexOfHeadEnd(pending)) < 0)
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) return null;
            pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        var head = Encoding.ASCII.GetString([.. pending.GetRange(0, end)]);
        pending.RemoveRange(0, end);
        var cl = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase));
        var length = cl is null ? 0 : int.Parse(cl[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        while (pending.Count < length)
        {
            var n = await stream.ReadAsync(buffer, ct);
            if (n == 0) return null;
            pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        pending.RemoveRange(0, length);
        return head;
    }

    private static int IndexOfHeadEnd(List<byte> data)
    {
        for (var i = 0; i + 4 <= data.Count; i++)
        {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') return i + 4;
        }
        return -1;
    }
}
