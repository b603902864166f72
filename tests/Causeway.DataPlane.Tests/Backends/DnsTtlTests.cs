using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using DnsClient;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Backends;

/// <summary>
/// BackendTrafficPolicy <c>dns.respectDnsTtl</c> against a real DNS server on loopback (dnsmasq, answering from a
/// hosts directory it watches, every record with a TTL of 1 s): a backend whose policy respects TTLs follows a changed
/// answer within the minimum refresh (here 1 s) of the TTL's end, one that does not keeps its answer until its
/// dnsRefreshRate (here 60 s). The two names point at two HTTP servers on 127.0.0.2 and 127.0.0.3, one port.
/// </summary>
public sealed class DnsTtlTests
{
    [Fact]
    public async Task A_backend_respecting_the_ttl_follows_a_changed_answer_and_one_that_does_not_keeps_its_own()
    {
        await using var a = NamedServer.Start(IPAddress.Parse("127.0.0.2"), 0, "A");
        await using var b = NamedServer.Start(IPAddress.Parse("127.0.0.3"), a.Port, "B");
        await using var dns = await Dnsmasq.StartAsync();
        await dns.SetAsync("127.0.0.2 ttl.causeway.test fixed.causeway.test\n");

        // The system resolver stands for what the host would answer: the same server, without TTLs.
        var lookup = new LookupClient(new LookupClientOptions(new NameServer(dns.EndPoint)) { UseCache = false });
        var options = TestGateway.Options with
        {
            DnsServers = [dns.EndPoint],
            DnsMinRefreshRate = TimeSpan.FromSeconds(1),
            DnsRefreshInterval = TimeSpan.FromSeconds(60),
            DnsResolver = async (name, ct) => [.. (await lookup.QueryAsync(name, QueryType.A, cancellationToken: ct)).Answers.ARecords().Select(r => r.Address)],
        };
        BackendIr Named(string id, string name, bool respectTtl) => new()
        {
            Id = id,
            DnsRespectTtl = respectTtl,
            DnsRefreshRate = TimeSpan.FromSeconds(60),
            Endpoints = new([new EndpointIr(name, a.Port) { Kind = EndpointKind.Fqdn }]),
        };
        var gw = Gateway("ns/gw", [HttpPort(Host("*",
                Prefix("/ttl", To("Backend:ns/ttl", "httproute/ns/ttl/rule/0")),
                Prefix("/fixed", To("Backend:ns/fixed", "httproute/ns/fixed/rule/0"))))],
            Named("Backend:ns/ttl", "ttl.causeway.test", true), Named("Backend:ns/fixed", "fixed.causeway.test", false));
        await using var g = await TestGateway.StartAsync(options, gw);
        Assert.Equal("A", await TextAsync(g, "/ttl"));
        Assert.Equal("A", await TextAsync(g, "/fixed"));

        await dns.SetAsync("127.0.0.3 ttl.causeway.test fixed.causeway.test\n");
        var changed = Stopwatch.StartNew();
        while (await TextAsync(g, "/ttl") != "B")
        {
            Assert.True(changed.Elapsed < TimeSpan.FromSeconds(20), "the TTL-respecting backend did not follow the new answer");
            await Task.Delay(100);
        }
        // The other name was resolved once at 60 s intervals: still the old address.
        Assert.Equal("A", await TextAsync(g, "/fixed"));
    }

    private static async Task<string> TextAsync(TestGateway g, string path)
    {
        using var response = await g.GetAsync("h", path);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>dnsmasq on 127.0.0.1 at a free port, answering only from a hosts directory it watches, TTL 1 s.</summary>
    private sealed class Dnsmasq : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _dir;

        private Dnsmasq(Process process, string dir, IPEndPoint endPoint)
        {
            _process = process;
            _dir = dir;
            EndPoint = endPoint;
        }

        public IPEndPoint EndPoint { get; }

        /// <summary>
        /// Starts dnsmasq on a port free for both UDP and TCP (it binds both); another test may take the port between the
        /// probe and dnsmasq's bind, so a start that fails is tried again on another port.
        /// </summary>
        public static async Task<Dnsmasq> StartAsync()
        {
            var path = new[] { "/usr/sbin/dnsmasq", "/usr/bin/dnsmasq" }.FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException("dnsmasq is not installed (apt-get install dnsmasq-base; .ci/run installs it)");
            var errors = new StringBuilder();
            for (var attempt = 0; attempt < 5; attempt++)
            {
                if (await TryStartAsync(path, errors) is { } started) return started;
            }
            throw new InvalidOperationException("dnsmasq did not start: " + errors);
        }

        private static async Task<Dnsmasq?> TryStartAsync(string path, StringBuilder errors)
        {
            var dir = Directory.CreateTempSubdirectory("causeway-dns-").FullName;
            Directory.CreateDirectory(Path.Combine(dir, "hosts"));
            int port;
            using (var tcp = new TcpListener(IPAddress.Loopback, 0))
            {
                tcp.Start();
                port = ((IPEndPoint)tcp.LocalEndpoint).Port;
                using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
            }
            var start = new ProcessStartInfo(path) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in new[]
            {
                "--keep-in-foreground", "--port=" + port, "--listen-address=127.0.0.1", "--bind-interfaces", "--no-resolv",
                "--no-hosts", "--hostsdir=" + Path.Combine(dir, "hosts"), "--local-ttl=1", "--cache-size=0",
                "--pid-file=" + Path.Combine(dir, "pid"), "--user=" + Environment.UserName,
                "--log-facility=" + Path.Combine(dir, "log"),
            })
                start.ArgumentList.Add(arg);
            var process = Process.Start(start)!;
            // Read as they come, so a full pipe never blocks dnsmasq.
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var dns = new Dnsmasq(process, dir, new IPEndPoint(IPAddress.Loopback, port));
            // Ready once it answers (NXDOMAIN will do).
            var lookup = new LookupClient(new LookupClientOptions(new NameServer(dns.EndPoint)) { UseCache = false, Timeout = TimeSpan.FromMilliseconds(200), Retries = 0 });
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                if (process.HasExited)
                {
                    await dns.DisposeAsync();
                    return null;
                }
                try
                {
                    await lookup.QueryAsync("ready.causeway.test", QueryType.A);
                    return dns;
                }
                catch (DnsResponseException) when (deadline.Elapsed < TimeSpan.FromSeconds(10))
                {
                    await Task.Delay(100);
                }
            }
        }

        /// <summary>Replaces the hosts file and waits until dnsmasq answers with its first address.</summary>
        public async Task SetAsync(string hosts)
        {
            var file = Path.Combine(_dir, "hosts", "causeway");
            var temp = Path.Combine(_dir, "causeway.tmp");
            await File.WriteAllTextAsync(temp, hosts);
            File.Move(temp, file, overwrite: true);
            var address = IPAddress.Parse(hosts.Split(' ')[0]);
            var name = hosts.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1].Trim();
            var lookup = new LookupClient(new LookupClientOptions(EndPoint) { UseCache = false });
            var deadline = Stopwatch.StartNew();
            while (!(await lookup.QueryAsync(name, QueryType.A)).Answers.ARecords().Any(r => r.Address.Equals(address)))
            {
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(10), "dnsmasq did not read the new hosts file");
                await Task.Delay(50);
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                _process.Kill();
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception)
            {
                // Already gone.
            }
            _process.Dispose();
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>An HTTP/1.1 server at one address answering every request with its name (and closing the connection).</summary>
    private sealed class NamedServer(IPAddress address, int port, string name) : LoopbackServer(address, port)
    {
        private readonly byte[] _response = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Length: {name.Length}\r\nConnection: close\r\n\r\n{name}");

        public static NamedServer Start(IPAddress address, int port, string name) => new(address, port, name);

        protected override async Task ServeAsync(TcpClient client, int number)
        {
            var stream = client.GetStream();
            if (await RawBackend.ReadRequestAsync(stream, [], Stopping) is null) return;
            await stream.WriteAsync(_response, Stopping);
        }
    }
}
