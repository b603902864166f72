using System.Net;
using System.Net.Sockets;
using System.Text;
using Causeway.DataPlane.Transports.Http2;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>
/// A test-only cleartext HTTP/2 server (prior knowledge) that runs <see cref="Http2ServerSession"/> over loopback
/// sockets, one blocking thread per connection, the way the event loop will drive it: received bytes in, pending
/// output written out. It answers requests itself: <c>/echo</c> (method, path, authority, scheme, fields and body
/// length as text), <c>/bytes/N</c> (N bytes of a known pattern), <c>/upload</c> (the body's length and sum),
/// <c>/trailers</c> (a body then trailers); 404 otherwise.
/// </summary>
internal sealed class H2TestServer : IDisposable
{
    private readonly Socket _listener;
    private readonly Http2Settings _settings;
    private readonly List<Socket> _connections = [];
    private readonly Thread _acceptor;
    private volatile bool _stopped;
    private long _maxQueued;
    private int _connectionCount;
    private int _requests;

    public static readonly byte[] Pattern = Enumerable.Range(0, 4 * 1024 * 1024).Select(i => (byte)(i % 251)).ToArray();

    public H2TestServer(Http2Settings? settings = null)
    {
        _settings = settings ?? new Http2Settings();
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(64);
        _acceptor = new Thread(Accept) { IsBackground = true, Name = "h2-test-accept" };
        _acceptor.Start();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndPoint!).Port;

    /// <summary>The most response bytes any session held back for want of window (proves flow control was exercised).</summary>
    public long MaxQueuedBytes => Interlocked.Read(ref _maxQueued);

    public int Connections => Volatile.Read(ref _connectionCount);

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Errors a session reported (connection errors, resets it made), for the test to assert none.</summary>
    public List<string> Errors { get; } = [];

    private void Accept()
    {
        while (!_stopped)
        {
            Socket socket;
            try { socket = _listener.Accept(); }
            catch (SocketException) { return; }
            catch (ObjectDisposedException) { return; }
            lock (_connections) _connections.Add(socket);
            Interlocked.Increment(ref _connectionCount);
            new Thread(() => Serve(socket)) { IsBackground = true, Name = "h2-test-conn" }.Start();
        }
    }

    private void Serve(Socket socket)
    {
        socket.NoDelay = true;
        socket.ReceiveTimeout = 30_000;
        socket.SendTimeout = 30_000;
        var handler = new Responder(this);
        var session = new Http2ServerSession(handler, _settings);
        handler.Session = session;
        var buffer = new byte[_settings.MaxFrameSize + 9 + 64 * 1024];
        var filled = 0;
        try
        {
            while (!_stopped)
            {
                Flush(socket, session);
                if (session.IsFailed || session.IsDrained) break;
                var n = socket.Receive(buffer, filled, buffer.Length - filled, SocketFlags.None);
                if (n == 0) break;
                filled += n;
                var result = session.Receive(buffer.AsSpan(0, filled));
                buffer.AsSpan(result.Consumed, filled - result.Consumed).CopyTo(buffer);
                filled -= result.Consumed;
                long queued = session.QueuedBytes, max;
                while (queued > (max = Interlocked.Read(ref _maxQueued)) && Interlocked.CompareExchange(ref _maxQueued, queued, max) != max) { }
            }
            Flush(socket, session);
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
        finally
        {
            socket.Dispose();
        }
    }

    private static void Flush(Socket socket, Http2ServerSession session)
    {
        while (session.PendingOutput.Length > 0)
        {
            var sent = socket.Send(session.PendingOutput);
            session.Consumed(sent);
        }
    }

    public void Dispose()
    {
        _stopped = true;
        _listener.Dispose();
        lock (_connections)
        {
            foreach (var c in _connections)
            {
                try { c.Shutdown(SocketShutdown.Both); } catch (SocketException) { } catch (ObjectDisposedException) { }
                c.Dispose();
            }
        }
        _acceptor.Join(TimeSpan.FromSeconds(5));
    }

    private sealed class Responder(H2TestServer server) : IHttp2StreamHandler
    {
        private readonly Dictionary<int, Request> _requests = [];
        public Http2ServerSession Session = null!;

        private sealed class Request
        {
            public string Method = "", Path = "", Authority = "", Scheme = "";
            public readonly List<(string, string)> Fields = [];
            public long BodyLength, BodySum;
        }

        public void OnRequestHeaders(int streamId, in Http2RequestHeaders headers)
        {
            var r = new Request
            {
                Method = Encoding.ASCII.GetString(headers.Method), Path = Encoding.ASCII.GetString(headers.Path),
                Authority = Encoding.ASCII.GetString(headers.Authority), Scheme = Encoding.ASCII.GetString(headers.Scheme),
            };
            for (var i = 0; i < headers.Count; i++) r.Fields.Add((Encoding.ASCII.GetString(headers.Name(i)), Encoding.ASCII.GetString(headers.Value(i))));
            _requests[streamId] = r;
            Interlocked.Increment(ref server._requests);
        }

        public void OnRequestData(int streamId, ReadOnlySpan<byte> data)
        {
            var r = _requests[streamId];
            r.BodyLength += data.Length;
            foreach (var b in data) r.BodySum += b;
            Session.AcknowledgeData(streamId, data.Length);
        }

        public void OnRequestTrailers(int streamId, in Http2RequestHeaders trailers)
        {
            for (var i = 0; i < trailers.Count; i++) _requests[streamId].Fields.Add(("trailer:" + Encoding.ASCII.GetString(trailers.Name(i)), Encoding.ASCII.GetString(trailers.Value(i))));
        }

        public void OnRequestEnd(int streamId)
        {
            var r = _requests[streamId];
            _requests.Remove(streamId);
            var path = r.Path.Split('?')[0];
            if (path == "/echo")
            {
                var text = new StringBuilder()
                    .Append("method=").Append(r.Method).Append('\n').Append("path=").Append(r.Path).Append('\n')
                    .Append("authority=").Append(r.Authority).Append('\n').Append("scheme=").Append(r.Scheme).Append('\n');
                foreach (var (n, v) in r.Fields) text.Append(n).Append('=').Append(v).Append('\n');
                text.Append("body=").Append(r.BodyLength).Append('\n');
                Text(streamId, 200, text.ToString());
            }
            else if (path.StartsWith("/bytes/", StringComparison.Ordinal) && int.TryParse(path["/bytes/".Length..], out var n) && n <= Pattern.Length)
            {
                Session.SendHeaders(streamId, 200, [Field("content-type", "application/octet-stream"), Field("content-length", n.ToString())], endStream: n == 0);
                if (n > 0) Session.SendData(streamId, Pattern.AsSpan(0, n), endStream: true);
            }
            else if (path == "/upload")
            {
                Text(streamId, 200, $"received={r.BodyLength} sum={r.BodySum}");
            }
            else if (path == "/trailers")
            {
                Session.SendHeaders(streamId, 200, [Field("content-type", "application/grpc")], endStream: false);
                Session.SendData(streamId, Pattern.AsSpan(0, 100_000), endStream: false);
                Session.SendTrailers(streamId, [Field("grpc-status", "0"), Field("x-checksum", "abc")]);
            }
            else
            {
                Text(streamId, 404, "not found");
            }
        }

        private void Text(int streamId, int status, string text)
        {
            var body = Encoding.UTF8.GetBytes(text);
            Session.SendHeaders(streamId, status, [Field("content-type", "text/plain"), Field("content-length", body.Length.ToString())], endStream: false);
            Session.SendData(streamId, body, endStream: true);
        }

        public void OnStreamReset(int streamId, Http2ErrorCode code, bool byPeer)
        {
            _requests.Remove(streamId);
            if (!byPeer) lock (server.Errors) server.Errors.Add($"stream {streamId} reset by the session: {code}");
        }

        public void OnGoAway(int lastStreamId, Http2ErrorCode code) { }

        public void OnConnectionError(Http2ErrorCode code, string reason)
        {
            lock (server.Errors) server.Errors.Add($"connection error {code}: {reason}");
        }

        private static Http2HeaderField Field(string name, string value) => new(Encoding.ASCII.GetBytes(name), Encoding.ASCII.GetBytes(value));
    }
}
