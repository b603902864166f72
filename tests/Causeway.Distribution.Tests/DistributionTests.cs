using Causeway.Distribution.Protocol;
using Causeway.Distribution.Security;
using Causeway.Translation.Ir;
using Grpc.Core;
using static Causeway.Distribution.Tests.DistributionFixture;

namespace Causeway.Distribution.Tests;

public sealed class DistributionTests
{
    [Fact]
    public async Task ProxyReceivesItsGatewayIrIncludingKeysAndAcks()
    {
        using var ca = CertificateAuthority.Create();
        await using var server = await StartServerAsync(ca);
        var ir = TestIr.Build(ca, "team-a/gw");
        var other = TestIr.Build(ca, "team-b/gw", "other");
        var v1 = server.Publish("team-a/gw", ir);
        server.Publish("team-b/gw", other);
        Assert.Equal(1, v1);

        var applied = new List<GatewayIr>();
        await using var proxy = StartProxy(server.Port, ca.IssueProxyCertificate("team-a", "gw"), (x, _) => { lock (applied) applied.Add(x); return Task.CompletedTask; });
        using var cts = new CancellationTokenSource(TestTimeout);
        var got = await proxy.WaitForAsync(_ => true, cts.Token);

        Assert.Equal(ir, got);
        Assert.Contains("PRIVATE KEY", got.Ports[0].Listeners[0].Certificates[0].PrivateKeyPem, StringComparison.Ordinal);
        Assert.Equal(ir.BackendClientCertificate!.PrivateKeyPem, got.BackendClientCertificate!.PrivateKeyPem);
        Assert.Equal((server.Epoch, 1L), proxy.CurrentVersion);
        await server.WaitForAckAsync("team-a/gw", 1, cts.Token);
        Assert.Equal(1, server.AckedVersion("team-a/gw"));
        Assert.Null(server.AckedVersion("team-b/gw"));
        lock (applied) Assert.Equal([ir], applied);
    }

    [Fact]
    public async Task UpdatesReachTheProxyAndAreAcknowledged()
    {
        using var ca = CertificateAuthority.Create();
        await using var server = await StartServerAsync(ca);
        var acks = new List<(long Version, bool Accepted)>();
        server.Acknowledged += (_, e) => { lock (acks) acks.Add((e.Version, e.Accepted)); };
        await using var proxy = StartProxy(server.Port, ca.IssueProxyCertificate("default", "gw"));
        using var cts = new CancellationTokenSource(TestTimeout);
        await WaitUntilAsync(() => server.Proxies("default/gw").Count == 1, "the proxy to subscribe");
        Assert.Null(proxy.Current);

        Assert.Equal(1, server.Publish("default/gw", TestIr.Build(ca, "default/gw", "v1")));
        await server.WaitForAckAsync("default/gw", 1, cts.Token);
        var v2 = TestIr.Build(ca, "default/gw", "v2");
        Assert.Equal(2, server.Publish("default/gw", v2));
        Assert.Equal(2, server.Publish("default/gw", v2)); // unchanged IR keeps its version
        await server.WaitForAckAsync("default/gw", 2, cts.Token);
        Assert.Equal("/v2", (await proxy.WaitForAsync(x => x == v2, cts.Token)).Ports[0].Listeners[0].Http!.VirtualHosts[0].Matches[0].PathValue);
        lock (acks) Assert.Equal([(1L, true), (2L, true)], acks);
        Assert.Equal(2, server.Proxies("default/gw").Single().AckedVersion);
    }

    [Fact]
    public async Task ApplyFailureIsNackedAndTheLastGoodConfigStays()
    {
        using var ca = CertificateAuthority.Create();
        await using var server = await StartServerAsync(ca);
        var nacked = new TaskCompletionSource<ProxyAckEventArgsSnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Acknowledged += (_, e) => { if (!e.Accepted) nacked.TrySetResult(new(e.Version, e.Error)); };
        var good = TestIr.Build(ca, "default/gw", "good");
        var bad = TestIr.Build(ca, "default/gw", "bad");
        server.Publish("default/gw", good);
        await using var proxy = StartProxy(server.Port, ca.IssueProxyCertificate("default", "gw"),
            (ir, _) => ir.Ports[0].Listeners[0].Http!.VirtualHosts[0].Matches[0].PathValue == "/bad"
                ? throw new InvalidOperationException("port 8443 is already in use")
                : Task.CompletedTask);
        using var cts = new CancellationTokenSource(TestTimeout);
        await server.WaitForAckAsync("default/gw", 1, cts.Token);

        Assert.Equal(2, server.Publish("default/gw", bad));
        var nack = await nacked.Task.WaitAsync(cts.Token);
        Assert.Equal(2, nack.Version);
        Assert.Equal("port 8443 is already in use", nack.Error);
        Assert.Equal(1, server.AckedVersion("default/gw"));
        var status = server.Proxies("default/gw").Single();
        Assert.Equal((1L, 2L, "port 8443 is already in use"), (status.AckedVersion!.Value, status.NackedVersion!.Value, status.LastError));
        Assert.Equal(good, proxy.Current);
        Assert.Equal(1, proxy.CurrentVersion.Version);
        Assert.Contains("port 8443", proxy.LastError, StringComparison.Ordinal);

        // A fixed configuration is accepted again.
        Assert.Equal(3, server.Publish("default/gw", TestIr.Build(ca, "default/gw", "fixed")));
        await server.WaitForAckAsync("default/gw", 3, cts.Token);
        Assert.Null(server.Proxies("default/gw").Single().LastError);
    }

    private sealed record ProxyAckEventArgsSnapshot(long Version, string? Error);

    [Fact]
    public async Task ProxyWithAnotherGatewaysCertificateIsRefused()
    {
        using var ca = CertificateAuthority.Create();
        await using var server = await StartServerAsync(ca);
        server.Publish("team-a/gw", TestIr.Build(ca, "team-a/gw"));
        using var cert = ca.IssueProxyCertificate("team-b", "gw").ToCertificate();
        var (channel, client) = RawClient(server.Port, ca, cert);
        using (channel)
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            using var call = client.Stream(cancellationToken: cts.Token);
            await call.RequestStream.WriteAsync(new ProxyMessage { Subscribe = new Subscribe { Gateway = "team-a/gw", ProxyId = "intruder" } }, cts.Token);
            var e = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(cts.Token));
            Assert.Equal(StatusCode.PermissionDenied, e.StatusCode);
            Assert.Contains("team-b/gw", e.Status.Detail, StringComparison.Ordinal);
        }

        // The ProxyClient told to subscribe to another Gateway gets nothing and reports the refusal.
        await using var proxy = StartProxy(server.Port, ca.IssueProxyCertificate("team-b", "gw"), gatewayKey: "team-a/gw");
        await WaitUntilAsync(() => proxy.LastError?.Contains("refused", StringComparison.Ordinal) == true, "the refusal");
        Assert.Null(proxy.Current);
        Assert.Empty(server.Proxies("team-a/gw"));
    }

    [Fact]
    public async Task ProxyWithoutClientCertificateIsRefused()
    {
        using var ca = CertificateAuthority.Create();
        await using var server = await StartServerAsync(ca);
        server.Publish("default/gw", TestIr.Build(ca, "default/gw"));
        var (channel, client) = RawClient(server.Port, ca, clientCertificate: null);
        using (channel)
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            using var call = client.Stream(cancellationToken: cts.Token);
            // The server may refuse the call before the subscribe is written: then the write fails too, with whatever the
            // client saw first (the stream's reset can race the trailers); the response stream then carries the status
            // the server answered, which is what a proxy reads.
            RpcException? e = null;
            try
            {
                await call.RequestStream.WriteAsync(new ProxyMessage { Subscribe = new Subscribe { Gateway = "default/gw" } }, cts.Token);
            }
            catch (RpcException refused)
            {
                e = refused;
            }
            catch (InvalidOperationException)
            {
                // The call already completed: the response stream says how.
            }
            try
            {
                await call.ResponseStream.MoveNext(cts.Token);
            }
            catch (RpcException refused)
            {
                e = refused;
            }
            Assert.NotNull(e);
            Assert.Equal(StatusCode.Unauthenticated, e!.StatusCode);
        }
    }

    [Fact]
    public async Task CertificateFromAnotherCaIsRefusedAndAnotherCasServerIsNotTrusted()
    {
        using var ca = CertificateAuthority.Create();
        using var rogue = CertificateAuthority.Create("rogue");
        await using var server = await StartServerAsync(ca);
        server.Publish("default/gw", TestIr.Build(ca, "default/gw"));

        // A client certificate naming the right Gateway, signed by another CA: the TLS handshake fails.
        using var cert = rogue.IssueProxyCertificate("default", "gw").ToCertificate();
        var (channel, client) = RawClient(server.Port, ca, cert);
        using (channel)
        {
            using var cts = new CancellationTokenSource(TestTimeout);
            // The failed handshake surfaces as an RpcException, or (when the write races it) as the HTTP/2 stream's I/O error.
            var e = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                using var call = client.Stream(cancellationToken: cts.Token);
                await call.RequestStream.WriteAsync(new ProxyMessage { Subscribe = new Subscribe { Gateway = "default/gw" } }, cts.Token);
                await call.ResponseStream.MoveNext(cts.Token);
            });
            Assert.True(e is RpcException { StatusCode: not StatusCode.OK } or IOException, e.ToString());
        }

        // A proxy whose CA is not the server's refuses the server (it could be an impostor).
        var mismatched = rogue.IssueProxyCertificate("default", "gw");
        await using var proxy = StartProxy(server.Port, mismatched);
        await WaitUntilAsync(() => proxy.LastError is not null, "the connection failure");
        await Task.Delay(300);
        Assert.Null(proxy.Current);
        Assert.False(proxy.IsConnected);
        Assert.Empty(server.Proxies("default/gw"));
    }

    [Fact]
    public async Task ProxyKeepsItsConfigWhileTheControllerIsAwayAndReconnects()
    {
        using var ca = CertificateAuthority.Create();
        var port = FreePort();
        var v1 = TestIr.Build(ca, "default/gw", "v1");
        var server = await StartServerAsync(ca, port);
        server.Publish("default/gw", v1);
        var applies = 0;
        await using var proxy = StartProxy(port, ca.IssueProxyCertificate("default", "gw"), (_, _) => { Interlocked.Increment(ref applies); return Task.CompletedTask; });
        using var cts = new CancellationTokenSource(TestTimeout);
        await server.WaitForAckAsync("default/gw", 1, cts.Token);
        var firstEpoch = server.Epoch;

        await server.DisposeAsync();
        await WaitUntilAsync(() => !proxy.IsConnected, "the proxy to notice the controller is gone");
        await Task.Delay(500); // a few reconnect attempts fail meanwhile
        Assert.Equal(v1, proxy.Current);
        Assert.Equal((firstEpoch, 1L), proxy.CurrentVersion);
        Assert.NotNull(proxy.LastError);

        // The restarted controller (new epoch, versions from 1 again) republishes: the same IR is acknowledged
        // without being applied again, then an update is applied.
        await using var restarted = await StartServerAsync(ca, port);
        Assert.NotEqual(firstEpoch, restarted.Epoch);
        restarted.Publish("default/gw", v1);
        await restarted.WaitForAckAsync("default/gw", 1, cts.Token);
        Assert.Equal(1, Volatile.Read(ref applies));
        var v2 = TestIr.Build(ca, "default/gw", "v2");
        Assert.Equal(2, restarted.Publish("default/gw", v2));
        await proxy.WaitForAsync(x => x == v2, cts.Token);
        await restarted.WaitForAckAsync("default/gw", 2, cts.Token);
        Assert.Equal((restarted.Epoch, 2L), proxy.CurrentVersion);
        Assert.Equal(2, Volatile.Read(ref applies));
    }

    [Fact]
    public void ProxyIdentityRoundTripsThroughTheCertificate()
    {
        using var ca = CertificateAuthority.Create();
        var issued = ca.IssueProxyCertificate("team-a", "edge-gw");
        using var cert = issued.ToCertificate();
        Assert.Equal("team-a/edge-gw", ProxyIdentity.FromCertificate(cert)!.GatewayKey);
        Assert.DoesNotContain("PRIVATE", issued.ToString(), StringComparison.Ordinal);
        Assert.Equal(["ca.crt", "tls.crt", "tls.key"], issued.ToSecretData().Keys.Order(StringComparer.Ordinal));
        using var serverCert = ca.IssueServerCertificate(["causeway.causeway-system.svc"]).ToCertificate();
        Assert.Null(ProxyIdentity.FromCertificate(serverCert));

        using var reloaded = CertificateAuthority.FromPem(ca.CertificatePem, ca.ExportPrivateKeyPem());
        using var fromReloaded = reloaded.IssueProxyCertificate("x", "y").ToCertificate();
        Assert.Equal(ca.Certificate.Subject, fromReloaded.Issuer);
        Assert.Throws<ArgumentException>(() => CertificateAuthority.FromPem(issued.CertificatePem, issued.PrivateKeyPem));
        Assert.Throws<ArgumentException>(() => ca.IssueProxyCertificate("a/b", "c"));
    }
}
