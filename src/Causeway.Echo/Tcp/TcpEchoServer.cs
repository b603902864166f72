using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Causeway.Echo.Tls;

namespace Causeway.Echo.Tcp;

/// <summary>echo-basic's TCP mode: welcome line, then PING / IS_TLS / TEST commands, one per line.</summary>
internal sealed class TcpEchoServer : IAsyncDisposable
{
    public const string Welcome = "Gateway API Test TCP Server\n";

    private const int MaxLineLength = 8 * 1024;
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly EchoOptions _options;
    private readonly TlsMaterial? _tls;
    private readonly Socket _plain;
    private readonly Socket? _secure;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly HashSet<Task> _connections = [];
    private readonly Lock _lock = new();

    private TcpEchoServer(EchoOptions options, TlsMaterial? tls, Socket plain, Socket? secure)
    {
        _options = options;
        _tls = tls;
        _plain = plain;
        _secure = secure;
        _loops.Add(Task.Run(() => AcceptLoopAsync(_plain, false, _stop.Token)));
        if (_secure is not null)
        {
            _loops.Add(Task.Run(() => AcceptLoopAsync(_secure, true, _stop.Token)));
        }
    }

    public int TcpPort => ((IPEndPoint)_plain.LocalEndPoint!).Port;

    public int? TlsPort => _secure is null ? null : ((IPEndPoint)_secure.LocalEndPoint!).Port;

    public static TcpEchoServer Start(EchoOptions options)
    {
        TlsMaterial? tls = null;
        Socket? plain = null;
        Socket? secure = null;
        try
        {
            tls = options.HasServerCertificate ? TlsMaterial.Load(options.TlsServerCert!, options.TlsServerKey!, null) : null;
            plain = Listen(options.BindAddress, options.TcpPort);
            secure = tls is null ? null : Listen(options.BindAddress, options.TlsPort);
            return new TcpEchoServer(options, tls, plain, secure);
        }
        catch
        {
            plain?.Dispose();
            secure?.Dispose();
            tls?.Dispose();
            throw;
        }
    }

    private static Socket Listen(IPAddress address, int port)
    {
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(new IPEndPoint(address, port));
            socket.Listen(512);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener, bool secure, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            client.NoDelay = true;
            client.SendTimeout = (int)IdleTimeout.TotalMilliseconds;
            client.ReceiveTimeout = (int)IdleTimeout.TotalMilliseconds;
            var task = Task.Run(() => ServeAsync(client, secure, ct), CancellationToken.None);
            lock (_lock)
            {
                _connections.Add(task);
            }

            _ = task.ContinueWith(
                t =>
                {
                    lock (_lock)
                    {
                        _connections.Remove(t);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client, bool secure, CancellationToken ct)
    {
        await using var network = new NetworkStream(client, ownsSocket: true);
        SslStream? ssl = null;
        try
        {
            Stream stream = network;
            if (secure)
            {
                ssl = new SslStream(network, leaveInnerStreamOpen: true);
                using (var handshake = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    handshake.CancelAfter(HandshakeTimeout);
                    await ssl.AuthenticateAsServerAsync(_tls!.CreateServerOptions(null), handshake.Token).ConfigureAwait(false);
                }

                stream = ssl;
            }

            await WriteAsync(stream, Welcome, ct).ConfigureAwait(false);
            var reader = new LineReader(stream, MaxLineLength);
            while (true)
            {
                string? line;
                using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
                {
                    idle.CancelAfter(IdleTimeout);
                    line = await reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                }

                if (line is null)
                {
                    return;
                }

                var answer = line.Trim() switch
                {
                    "PING" => "PONG\n",
                    "IS_TLS" => secure ? "true\n" : "false\n",
                    "TEST" => TestJson(ssl) + "\n",
                    _ => null,
                };
                if (answer is not null)
                {
                    await WriteAsync(stream, answer, ct).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException
            or System.Security.Authentication.AuthenticationException or ObjectDisposedException)
        {
            // client went away, timed out or failed the handshake
        }
        finally
        {
            if (ssl is not null)
            {
                await ssl.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private static async Task WriteAsync(Stream stream, string text, CancellationToken ct)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(text), ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The one-line JSON answer to <c>TEST</c>.</summary>
    internal string TestJson(SslStream? ssl)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, Compact))
        {
            w.WriteStartObject();
            w.WriteString("namespace", _options.Namespace);
            w.WriteString("ingress", _options.IngressName);
            w.WriteString("service", _options.ServiceName);
            w.WriteString("pod", _options.PodName);
            w.WriteString("tcpport", PortText(_options.TcpPort, TcpPort));
            w.WriteString("tlsport", PortText(_options.TlsPort, TlsPort ?? 0));
            w.WriteBoolean("isTLS", ssl is not null);
            if (ssl is not null)
            {
                w.WriteStartObject("tls");
                w.WriteString("version", TlsNames.Version(ssl.SslProtocol));
                w.WriteString("serverName", ssl.TargetHostName);
                w.WriteString("negotiatedProtocol", TlsNames.Alpn(ssl.NegotiatedApplicationProtocol.Protocol.Span));
                w.WriteString("curves", ""); // .NET does not expose the negotiated key exchange group
                w.WriteString("cipherSuite", TlsNames.CipherSuite(ssl.NegotiatedCipherSuite));
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static string PortText(int configured, int bound) =>
        (configured != 0 ? configured : bound).ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _plain.Dispose();
        _secure?.Dispose();
        Task[] pending;
        lock (_lock)
        {
            pending = [.. _loops, .. _connections];
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
        _tls?.Dispose();
    }
}
