using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Tests.Support;
using Causeway.Translation.Ir;
using static Causeway.DataPlane.Tests.Support.Ir;

namespace Causeway.DataPlane.Tests.Policies.ClientTraffic;

/// <summary>
/// What ClientTrafficPolicy <c>http1.preserveHeaderCase</c> asks for, which Causeway does on HTTP/1.1 whether or not
/// the field is set: a header name reaches the backend as the client wrote it, and the client as the backend wrote it.
/// A raw backend records the bytes it got. Transports: the event loop, the HTTP/1.1 relay on TLS, the Kestrel pipeline.
/// </summary>
public sealed class HeaderCaseTests
{
    private static readonly TestCert Ca = TestCerts.CreateCa("ctp-case-ca");
    private static readonly TestCert Leaf = TestCerts.CreateLeaf(Ca, "h", "h");

    /// <summary>Answers every request with <see cref="Answer"/> (default: a header of mixed case); keeps each request head as received.</summary>
    internal sealed class RawBackend : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accept;

        public RawBackend(string answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Backend-MiXeD: v\r\n\r\nok")
        {
            Answer = Encoding.ASCII.GetBytes(answer);
            _listener.Start();
            _accept = AcceptAsync();
        }

        public byte[] Answer { get; }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public System.Collections.Concurrent.ConcurrentQueue<string> Heads { get; } = new();

        private async Task AcceptAsync()
        {
            while (true)
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
                _ = ServeAsync(c);
            }
        }

        private async Task ServeAsync(TcpClient c)
        {
            using var _ = c;
            var stream = c.GetStream();
            var buffer = new List<byte>();
            var chunk = new byte[4096];
            try
            {
                while (true)
                {
                    int end;
                    while ((end = Encoding.ASCII.GetString([.. buffer]).IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
                    {
                        var n = await stream.ReadAsync(chunk, _stop.Token);
                        if (n == 0) return;
                        buffer.AddRange(chunk.AsSpan(0, n).ToArray());
                    }
                    Heads.Enqueue(Encoding.ASCII.GetString([.. buffer], 0, end));
                    buffer.RemoveRange(0, end + 4);
                    await stream.WriteAsync(Answer, _stop.Token);
                }
            }
            catch (Exception)
            {
                // stopping or the peer left
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            try
            {
                await _accept;
            }
            catch (Exception)
            {
                // stopping
            }
        }
    }

    [Theory]
    [InlineData(ListenerHeaderMutationTests.Transport.Loop)]
    [InlineData(ListenerHeaderMutationTests.Transport.Tls)]
    [InlineData(ListenerHeaderMutationTests.Transport.Kestrel)]
    public async Task Header_names_keep_the_case_they_were_written_in(ListenerHeaderMutationTests.Transport transport)
    {
        await using var backend = new RawBackend();
        var listener = Listener("ns/gw/l", null, Host("*", Prefix("/", To("ns/b:80", "httproute/ns/b/rule/0")))) with
        {
            ClientTraffic = ClientTrafficIr.Policy(),
        };
        var tls = transport == ListenerHeaderMutationTests.Transport.Tls;
        if (tls) listener = listener with { Certificates = new[] { Leaf.ToIr("h") } };
        var gw = Support.Ir.Gateway("ns/gw", [Port(tls ? PortProtocol.Https : PortProtocol.Http, 0, listener)], Backend("ns/b:80", backend.Port));
        await using var g = await TestGateway.StartAsync(
            transport == ListenerHeaderMutationTests.Transport.Kestrel ? TestGateway.Options with { Http1FastPath = false } : TestGateway.Options, gw);

        var (status, headers) = await ListenerHeaderMutationTests.GetAsync(g, transport, "/case", headers: ("X-MiXeD-Case", "1"));
        Assert.Equal(200, status);
        Assert.Contains(headers, h => h.Key == "X-Backend-MiXeD");
        Assert.Contains("\r\nX-MiXeD-Case: 1", Assert.Single(backend.Heads), StringComparison.Ordinal);
        if (transport != ListenerHeaderMutationTests.Transport.Kestrel) Assert.True(g.Plane.FastPath!.Requests > 0);
    }
}
