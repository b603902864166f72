using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Sockets;
using Causeway.DataPlane.Tests.Support;
using System.Text;

namespace Causeway.DataPlane.Tests.Differential;

/// <summary>
/// A raw-socket HTTP/1.1 backend on 127.0.0.1:0 for the differential tests: it parses each request strictly (head, then a
/// Content-Length or chunked body), records it as a <see cref="BackendRequest"/>, and answers with what
/// <see cref="Script"/> returns for it (the int is the request's index since the last <see cref="Reset"/>).
/// Anything it cannot parse is recorded with the request line <c>UNPARSEABLE</c> and the connection is closed.
/// </summary>
public sealed class DiffBackend : LoopbackServer
{
    private readonly ConcurrentQueue<BackendRequest> _received = new();
    private int _count;

    public Func<BackendRequest, int, BackendReply> Script { get; set; } = (_, _) => BackendReply.Ok();

    public IReadOnlyList<BackendRequest> Received => [.. _received];

    public void Reset(Func<BackendRequest, int, BackendReply> script)
    {
        Script = script;
        _received.Clear();
        Interlocked.Exchange(ref _count, 0);
    }

    protected override async Task ServeAsync(TcpClient client, int number)
    {
        // Exceptions end the connection: peer gone, stopping, or the gateway sent something this backend does not frame
        // (recorded before it throws).
        var reader = new ByteReader(client.GetStream(), Stopping);
        while (true)
        {
            var head = await reader.ReadHeadAsync();
            if (head is null) return;
            var request = await ParseAsync(head, reader);
            _received.Enqueue(request);
            if (request.RequestLine == "UNPARSEABLE") return;
            var reply = Script(request, Interlocked.Increment(ref _count) - 1);
            if (reply.Delay > TimeSpan.Zero) await Task.Delay(reply.Delay, Stopping);
            await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes(reply.Bytes), Stopping);
            if (reply.Close) return;
        }
    }

    private static async Task<BackendRequest> ParseAsync(byte[] head, ByteReader reader)
    {
        var text = Encoding.Latin1.GetString(head, 0, head.Length - 4);
        var lines = text.Split("\r\n");
        var headers = new List<KeyValuePair<string, string>>();
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line.Contains('\n', StringComparison.Ordinal) || line.Contains('\r', StringComparison.Ordinal))
                return new BackendRequest("UNPARSEABLE", [new("raw", text)], []);
            headers.Add(new(line[..colon].ToLowerInvariant(), line[(colon + 1)..].Trim(' ', '\t')));
        }
        var te = headers.Where(h => h.Key == "transfer-encoding").Select(h => h.Value).ToList();
        var cl = headers.Where(h => h.Key == "content-length").Select(h => h.Value).ToList();
        byte[] body;
        if (te.Count > 0)
        {
            if (te.Count > 1 || !te[0].Equals("chunked", StringComparison.OrdinalIgnoreCase) || cl.Count > 0)
                return new BackendRequest("UNPARSEABLE", [new("raw", text)], []);
            body = await reader.ReadChunkedAsync();
        }
        else if (cl.Count > 0)
        {
            if (cl.Count > 1 || !long.TryParse(cl[0], NumberStyles.None, CultureInfo.InvariantCulture, out var length))
                return new BackendRequest("UNPARSEABLE", [new("raw", text)], []);
            body = await reader.ReadExactlyAsync((int)length);
        }
        else
        {
            body = [];
        }
        return new BackendRequest(lines[0], headers, body);
    }
}
