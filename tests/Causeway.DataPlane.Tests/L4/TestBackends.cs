using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;

namespace Causeway.DataPlane.Tests.L4;

/// <summary>
/// TCP echo backend on 127.0.0.1:0. Optionally writes a banner line first (to tell backends apart) and a trailer after
/// the client's end of stream (to prove the return direction survives a half-close). Optionally TLS with its own cert.
/// </summary>
internal sealed class TestTcpBackend : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentBag<Task> _tasks = [];
    private readonly string? _banner;
    private readonly string? _trailer;
    private readonly TestCertificate? _certificate;
    private readonly bool _requireClientCertificate;
    private readonly Task _accept;
    private int _accepted;

    public TestTcpBackend(string? banner = null, string? trailer = null, TestCertificate? certificate = null, bool requireClientCertificate = false, int port = 0)
    {
        _listener = new TcpListener(IPAddress.Loopback, port);
        _requireClientCertificate = requireClientCertificate;
        _banner = banner;
        _trailer = trailer;
        _certificate = certificate;
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _accept = AcceptAsync();
    }

    public IPEndPoint EndPoint { get; }
    public int Accepted => Volatile.Read(ref _accepted);
    public ConcurrentQueue<string?> SniSeen { get; } = new();

    /// <summary>Subjects of the client certificates presented to this backend (null when none was).</summary>
    public ConcurrentQueue<string?> ClientCertificatesSeen { get; } = new();

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
                _tasks.Add(Task.Run(() => ServeAsync(client)));
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            Stream stream = client.GetStream();
            if (_certificate is not null)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _certificate.Certificate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateRequired = _requireClientCertificate,
                    // The test inspects what was presented; trust is not what it checks.
                    RemoteCertificateValidationCallback = (_, certificate, _, _) => !_requireClientCertificate || certificate is not null,
                }, _stop.Token);
                SniSeen.Enqueue(ssl.TargetHostName);
                ClientCertificatesSeen.Enqueue(ssl.RemoteCertificate?.Subject);
                stream = ssl;
            }
            if (_banner is not null) await stream.WriteAsync(Encoding.ASCII.GetBytes(_banner + "\n"), _stop.Token);
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await stream.ReadAsync(buffer, _stop.Token)) > 0)
                await stream.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
            if (_trailer is not null) await stream.WriteAsync(Encoding.ASCII.GetBytes(_trailer), _stop.Token);
            if (stream is SslStream s) await s.ShutdownAsync();
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or AuthenticationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await Task.WhenAll([_accept, .. _tasks]).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}

/// <summary>UDP echo backend on 127.0.0.1:0: replies with the same datagram and records the source endpoints seen.</summary>
internal sealed class TestUdpBackend : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string? _prefix;

    public TestUdpBackend(string? prefix = null)
    {
        _prefix = prefix;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = LoopAsync();
    }

    public IPEndPoint EndPoint { get; }
    public ConcurrentDictionary<string, int> Sources { get; } = new();

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        var prefix = _prefix is null ? [] : Encoding.ASCII.GetBytes(_prefix);
        try
        {
            while (true)
            {
                var r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
                Sources.AddOrUpdate(r.RemoteEndPoint.ToString()!, 1, (_, c) => c + 1);
                var reply = new byte[prefix.Length + r.ReceivedBytes];
                prefix.CopyTo(reply, 0);
                buffer.AsSpan(0, r.ReceivedBytes).CopyTo(reply.AsSpan(prefix.Length));
                await _socket.SendToAsync(reply, SocketFlags.None, r.RemoteEndPoint, _stop.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        await _loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }
}
