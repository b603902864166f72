using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Transports.ProxyProtocol;

namespace Causeway.DataPlane.Tests.Support;

/// <summary>
/// An HTTP/1.1 backend on 127.0.0.1:0 whose connections must start with a PROXY header (v1 or v2, read by the repo's
/// <see cref="ProxyHeaderParser"/>): a connection without one is answered 400 and closed. Every response's body names the
/// connection and what its header said: <c>conn=N src=ADDR:PORT dst=ADDR:PORT</c> (<c>-</c> for a LOCAL/UNKNOWN header).
/// </summary>
public sealed class ProxyHttpBackend : LoopbackServer
{
    /// <summary>Per connection (in accept order): whether it began with a valid header, and what the header named.</summary>
    public ConcurrentQueue<(int Connection, bool Valid, IPEndPoint? Source, IPEndPoint? Destination)> Headers { get; } = new();

    protected override async Task ServeAsync(TcpClient client, int number)
    {
        var stream = client.GetStream();
        var pending = new List<byte>();
        var buffer = new byte[65536];
        IPEndPoint? source, destination;
        while (true)
        {
            var status = ProxyHeaderParser.Parse(pending.ToArray(), out var consumed, out source, out destination);
            if (status == ProxyHeaderStatus.Complete)
            {
                pending.RemoveRange(0, consumed);
                Headers.Enqueue((number, true, source, destination));
                break;
            }
            if (status != ProxyHeaderStatus.Incomplete)
            {
                Headers.Enqueue((number, false, null, null));
                await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 9\r\nConnection: close\r\n\r\nno header"u8.ToArray(), Stopping);
                return;
            }
            var n = await stream.ReadAsync(buffer, Stopping);
            if (n == 0) return;
            pending.AddRange(buffer.AsSpan(0, n).ToArray());
        }
        var body = $"conn={number} src={source?.ToString() ?? "-"} dst={destination?.ToString() ?? "-"}";
        while (await RawBackend.ReadRequestAsync(stream, pending, Stopping) is not null)
            await stream.WriteAsync(Encoding.ASCII.GetBytes(RawBackend.Ok(body)), Stopping);
    }
}
