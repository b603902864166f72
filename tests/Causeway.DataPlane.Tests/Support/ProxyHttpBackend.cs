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
public sealed class ProxyHttpBackend : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private readonly ConcurrentBag<TcpClient> _clients = [];
    private int _connections;

    public ProxyHttpBackend()
    {
        _listener.Start();
        _accept = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Per connection (in accept order): whether it began with a valid header, and what the header named.</summary>
    public ConcurrentQueue<(int Connection, bool Valid, IPEndPoint? Source, IPEndPoint? Destination)> Headers { get; } = new();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient c;
            try
            {
                c = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception)
            {
                return;
            }
            var n = Interlocked.Increment(ref _connections);
            _clients.Add(c);
            _ = ServeAsync(c, n);
        }
    }

    private async Task ServeAsync(TcpClient c, int number)
    {
        using var _ = c;
        var stream = c.GetStream();
        var pending = new List<byte>();
        var buffer = new byte[65536];
        try
        {
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
                    await stream.WriteAsync("HTTP/1.1 400 Bad Request\r\nContent-Length: 9\r\nConnection: close\r\n\r\nno header"u8.ToArray(), _stop.Token);
                    return;
                }
                var n = await stream.ReadAsync(buffer, _stop.Token);
                if (n == 0) return;
                pending.AddRange(buffer.AsSpan(0, n).ToArray());
            }
            while (true)
            {
                int end;
                while ((end = IndexOfHeadEnd(pending)) < 0)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0) return;
                    pending.AddRange(buffer.AsSpan(0, n).ToArray());
                }
                var head = Encoding.ASCII.GetString([.. pending.GetRange(0, end)]);
                pending.RemoveRange(0, end);
                var cl = head.Split("\r\n").FirstOrDefault(l => l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase));
                var length = cl is null ? 0 : int.Parse(cl[15..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                while (pending.Count < length)
                {
                    var n = await stream.ReadAsync(buffer, _stop.Token);
                    if (n == 0) return;
                    pending.AddRange(buffer.AsSpan(0, n).ToArray());
                }
                pending.RemoveRange(0, length);
                var body = $"conn={number} src={source?.ToString() ?? "-"} dst={destination?.ToString() ?? "-"}";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(RawBackend.Ok(body)), _stop.Token);
            }
        }
        catch (Exception)
        {
            // Peer gone or stopping.
        }
    }

    private static int IndexOfHeadEnd(List<byte> data)
    {
        for (var i = 0; i + 4 <= data.Count; i++)
        {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') return i + 4;
        }
        return -1;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var c in _clients) c.Dispose();
        try
        {
            await _accept;
        }
        catch (Exception)
        {
        }
        _stop.Dispose();
    }
}
