using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Causeway.DataPlane.Tests.Backends;

/// <summary>
/// A minimal HTTP/1.1 backend listening on 127.0.0.1 and [::1] at the same port; every answer's body is the local
/// address the request's connection was accepted on, so a test sees which family the gateway connected with.
/// </summary>
internal sealed class DualStackServer : IAsyncDisposable
{
    private readonly Socket _v4;
    private readonly Socket _v6;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];

    private DualStackServer(Socket v4, Socket v6)
    {
        _v4 = v4;
        _v6 = v6;
        _loops.Add(AcceptAsync(v4));
        _loops.Add(AcceptAsync(v6));
    }

    public int Port => ((IPEndPoint)_v4.LocalEndPoint!).Port;

    public static DualStackServer Start()
    {
        for (var attempt = 0; ; attempt++)
        {
            var v6 = new Socket(AddressFamily.InterNetworkV6, SocketType.Stream, ProtocolType.Tcp) { DualMode = false };
            v6.Bind(new IPEndPoint(IPAddress.IPv6Loopback, 0));
            var port = ((IPEndPoint)v6.LocalEndPoint!).Port;
            var v4 = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                v4.Bind(new IPEndPoint(IPAddress.Loopback, port));
            }
            catch (SocketException) when (attempt < 20)
            {
                v4.Dispose();
                v6.Dispose();
                continue;
            }
            v4.Listen(64);
            v6.Listen(64);
            return new DualStackServer(v4, v6);
        }
    }

    private async Task AcceptAsync(Socket listener)
    {
        try
        {
            while (true)
            {
                var s = await listener.AcceptAsync(_stop.Token);
                _ = ServeAsync(s);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task ServeAsync(Socket s)
    {
        using var _ = s;
        var local = ((IPEndPoint)s.LocalEndPoint!).Address.ToString();
        var buffer = new byte[8192];
        var seen = 0;
        try
        {
            while (true)
            {
                var n = await s.ReceiveAsync(buffer.AsMemory(seen), _stop.Token);
                if (n == 0) return;
                seen += n;
                int end;
                while ((end = Encoding.ASCII.GetString(buffer, 0, seen).IndexOf("\r\n\r\n", StringComparison.Ordinal)) >= 0)
                {
                    var body = Encoding.ASCII.GetBytes(local);
                    await s.SendAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {body.Length}\r\nContent-Type: text/plain\r\n\r\n").Concat(body).ToArray(), _stop.Token);
                    var rest = seen - (end + 4);
                    Buffer.BlockCopy(buffer, end + 4, buffer, 0, rest);
                    seen = rest;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _v4.Dispose();
        _v6.Dispose();
        await Task.WhenAll(_loops);
        _stop.Dispose();
    }
}
