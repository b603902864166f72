using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Causeway.DataPlane.L4.Tcp;
using Causeway.DataPlane.Tls;
using Causeway.Translation.Ir;
using Microsoft.Extensions.Logging;

namespace Causeway.DataPlane.L4.Tls;

/// <summary>
/// A connection on a TLS port: sniff the ClientHello's SNI, pick listener and route, then either pass the TLS stream
/// through untouched (replaying the sniffed bytes first) or terminate TLS with the listener's certificate and splice
/// plaintext (optionally re-encrypted towards the backend).
/// </summary>
internal sealed class TlsConnectionHandler(L4ServerOptions options, L4Metrics metrics, ILogger logger)
{
    private readonly CertificateCache _certificates = new(logger);
    private readonly ConcurrentDictionary<BackendTlsIr, BackendCertificateValidator> _backendTls = new();

    /// <summary>Called on <see cref="L4Server.Update"/>: drop TLS material the new generation no longer uses.</summary>
    public void Retain(L4RouteTable table)
    {
        _certificates.Retain(table);
        _backendTls.Clear();
    }

    public async Task HandleAsync(TcpProxy proxy, TcpConnection connection, L4RouteTable table)
    {
        PeekedClientHello hello;
        using (var handshakeTimeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Token))
        {
            handshakeTimeout.CancelAfter(options.TlsHandshakeTimeout);
            try
            {
                hello = await ClientHelloReader.ReadAsync(connection.Client, options.MaxClientHelloBytes, handshakeTimeout.Token, connection.Pending)
                    .ConfigureAwait(false);
                connection.Pending = [];
            }
            catch (OperationCanceledException) when (!connection.Token.IsCancellationRequested)
            {
                metrics.TlsHandshakeFailed();
                proxy.Refuse(connection, "ClientHello timeout");
                return;
            }
        }
        using var _ = hello;
        if (hello.Status != ClientHelloStatus.Complete)
        {
            metrics.TlsHandshakeFailed();
            proxy.Refuse(connection, "not a TLS ClientHello");
            return;
        }
        connection.ServerName = hello.ServerName;
        if (table.MatchTls(hello.ServerName) is not var (listener, route))
        {
            connection.RefusalFlag = "NR";
            proxy.Refuse(connection, "no listener/route for SNI " + (hello.ServerName ?? "<none>"));
            return;
        }
        if (listener.TlsPassthrough) await PassthroughAsync(proxy, connection, table, route, hello).ConfigureAwait(false);
        else await TerminateAsync(proxy, connection, table, listener, route, hello).ConfigureAwait(false);
    }

    private async Task PassthroughAsync(
        TcpProxy proxy, TcpConnection connection, L4RouteTable table, L4RouteIr route, PeekedClientHello hello)
    {
        var backendSocket = await proxy.ConnectBackendAsync(connection, table, route).ConfigureAwait(false);
        if (backendSocket is null) return;
        await using var clientStream = new NetworkStream(connection.Client, ownsSocket: false);
        await using var backendStream = new NetworkStream(backendSocket, ownsSocket: false);
        await backendStream.WriteAsync(hello.Bytes, connection.Token).ConfigureAwait(false);
        metrics.AddBytesFromClient(hello.Length);
        await StreamSplicer.SpliceAsync(connection, clientStream, backendStream, backendSocket, metrics, proxy.BufferSize(connection))
            .ConfigureAwait(false);
    }

    private async Task TerminateAsync(
        TcpProxy proxy, TcpConnection connection, L4RouteTable table, ListenerIr listener, L4RouteIr route,
        PeekedClientHello hello)
    {
        var certificate = _certificates.Select(listener, hello.ServerName);
        if (certificate is null)
        {
            metrics.TlsHandshakeFailed();
            proxy.Refuse(connection, "listener " + listener.Name + " has no usable certificate");
            return;
        }
        var clientNetwork = new NetworkStream(connection.Client, ownsSocket: false);
        await using var clientTls = new SslStream(new PrefixedStream(hello.Bytes, clientNetwork), leaveInnerStreamOpen: false);
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Token))
        {
            timeout.CancelAfter(options.TlsHandshakeTimeout);
            try
            {
                await clientTls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = certificate,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    ClientCertificateRequired = false,
                }, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException
                                          || e is OperationCanceledException && !connection.Token.IsCancellationRequested)
            {
                metrics.TlsHandshakeFailed();
                proxy.Refuse(connection, "client TLS handshake failed: " + e.Message);
                return;
            }
        }
        metrics.AddBytesFromClient(hello.Length);
        connection.Touch();

        var backendSocket = await proxy.ConnectBackendAsync(connection, table, route).ConfigureAwait(false);
        if (backendSocket is null) return;
        Stream backendStream = new NetworkStream(backendSocket, ownsSocket: false);
        await using var __ = backendStream;
        if (connection.ChosenBackend?.Tls is { } tls)
        {
            var validator = _backendTls.GetOrAdd(tls, static t => new BackendCertificateValidator(t, BackendCertificateRules.Permissive));
            var backendTls = new SslStream(backendStream, leaveInnerStreamOpen: false);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Token);
            timeout.CancelAfter(options.TlsHandshakeTimeout);
            try
            {
                var tlsOptions = BackendTlsOptions.Create(tls, validator);
                tlsOptions.ClientCertificateContext = (tls.ClientCertificate ?? table.BackendClientCertificate) is { } client ? _certificates.Get(client) : null;
                await backendTls.AuthenticateAsClientAsync(tlsOptions, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException
                                          || e is OperationCanceledException && !connection.Token.IsCancellationRequested)
            {
                await backendTls.DisposeAsync().ConfigureAwait(false);
                metrics.TlsHandshakeFailed();
                logger.LogWarning("TLS to backend for route {Route} failed: {Error}", route.Name, e.Message);
                proxy.Refuse(connection, "backend TLS handshake failed");
                return;
            }
            backendStream = backendTls;
        }
        try
        {
            await StreamSplicer.SpliceAsync(connection, clientTls, backendStream, backendSocket, metrics, proxy.BufferSize(connection))
                .ConfigureAwait(false);
        }
        finally
        {
            if (backendStream is SslStream s) await s.DisposeAsync().ConfigureAwait(false);
        }
    }
}
