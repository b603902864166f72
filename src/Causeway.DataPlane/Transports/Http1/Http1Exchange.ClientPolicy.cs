using System.Text;
using Causeway.DataPlane.Policies.ClientTraffic;
using Causeway.DataPlane.Policies.ClientTraffic.Path;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>
/// The listener's ClientTrafficPolicy on the HTTP/1.1 byte transports, before routing: headers with underscores
/// (400 or dropped), path normalization (400, 307, or a hand-off when the path must change), the health check answer, client address detection, and the request ID the backend and the access
/// log get. Decide-only: nothing here needs the Kestrel pipeline, so the event loop serves it without hand-off.
/// </summary>
internal sealed partial class Http1Exchange
{
    private ListenerClientPolicy? _clientPolicy;
    private string? _requestId;
    private string? _forwardedClientCert;

    /// <summary>
    /// The listener's early request edits made to the current head (<see cref="Http1EditState.Active"/> when made);
    /// made on a connection's first request that has some, so connections without them allocate nothing for it.
    /// </summary>
    private Http1EditState? _earlyEdits;

    /// <summary>The listener's late response edits for the current request (null: none).</summary>
    private Filters.HeaderEdits? _lateEdits;

    /// <summary>The request as routing, steps and the backend see it: the head with the listener's early edits.</summary>
    private Http1RequestView View => new(Head, HeadBuffer, _earlyEdits);

    /// <summary>The connection's certificates when the client presented one (mutual TLS), else null.</summary>
    public Policies.ClientTraffic.ForwardedClientCert.PeerCertificates? Peer { get; set; }

    private void ResetClientPolicy()
    {
        _clientPolicy = null;
        _requestId = null;
        _forwardedClientCert = null;
        if (_earlyEdits is not null) _earlyEdits.Active = false;
        _lateEdits = null;
    }

    /// <summary>Runs the policy of the listener <paramref name="host"/> reaches; a decision when it answers, else null.</summary>
    private Http1Decision? RunClientPolicy(CompiledPort port, ReadOnlySpan<char> host, Http1RequestView view, ReadOnlySpan<char> path)
    {
        var listener = port.Listeners.Find(host);
        if (port.HasLateResponseHeaders) _lateEdits = listener is null ? port.UnmatchedLateResponse : listener.ClientPolicy?.LateResponse;
        if (listener?.ClientPolicy is not { } policy) return null;
        _clientPolicy = policy;
        var head = Head;
        var buf = HeadBuffer;
        if (policy.Underscores != UnderscoresAction.Allow)
        {
            for (var i = 0; i < head.HeaderCount; i++)
            {
                ref var e = ref head.Headers[i];
                if (!ListenerClientPolicy.HasUnderscore(buf.AsSpan(e.NameStart, e.NameLength))) continue;
                if (policy.Underscores == UnderscoresAction.RejectRequest)
                {
                    Enter(listener.Stats);
                    return Answer(LocalReply.Empty(400));
                }
                e.Kind = HeaderKind.Skip; // dropped: not forwarded
            }
        }
        if (policy.EarlyRequest is { } early)
        {
            if (!policy.EarlyFitsHttp1) return HandOff("the listener's earlyRequestHeaders edit a header the byte transports manage");
            // Kept aside from the route's edits: BuildForwardedHead starts from them, and View shows them to every reader.
            var editor = new Http1HeaderEditor(head.Headers, head.HeaderCount, buf, _earlyEdits ??= new Http1EditState());
            early.Apply(ref editor);
            view = View;
        }
        if (policy.Path is { } normalization)
        {
            // (A percent-encoded path is handed to Kestrel by the head parser already, so escaped slashes are answered
            // there today; the checks stay here so that this transport answers them the day it routes such paths.)
            switch (normalization.Check(path))
            {
                case PathVerdict.Reject:
                    Enter(listener.Stats);
                    return Answer(LocalReply.Empty(400));
                case PathVerdict.Redirect:
                    Enter(listener.Stats);
                    return Answer(normalization.Redirect(path, Encoding.ASCII.GetString(buf, head.TargetStart + head.PathLength, head.TargetLength - head.PathLength)));
                case PathVerdict.Rewrite:
                    // The forwarded request line is the client's on this transport: Kestrel routes and forwards the new path.
                    return HandOff("path normalization (slashes merged or unescaped)");
            }
        }
        if (policy.Decide(view, Policy) is { } reply)
        {
            Enter(listener.Stats);
            return Answer(reply);
        }
        string? client = null;
        for (var i = 0; i < head.HeaderCount; i++)
        {
            ref var e = ref head.Headers[i];
            if (e.Kind != HeaderKind.Forward || !Ascii.EqualsIgnoreCase(buf.AsSpan(e.NameStart, e.NameLength), "x-request-id"u8)) continue;
            client ??= Encoding.ASCII.GetString(buf, e.ValueStart, e.ValueLength);
            e.Kind = HeaderKind.Skip; // the effective ID is written once by BuildForwardedHead
        }
        _requestId = policy.EffectiveRequestId(client);
        if (!policy.ForwardedClientCert.AlwaysRemoves)
        {
            // The parser marked the client's header Skip (sanitized by default); the policy decides what goes on.
            string? xfcc = null;
            for (var i = 0; i < head.HeaderCount; i++)
            {
                ref var e = ref head.Headers[i];
                if (Ascii.EqualsIgnoreCase(buf.AsSpan(e.NameStart, e.NameLength), "x-forwarded-client-cert"u8))
                    xfcc = Encoding.Latin1.GetString(buf, e.ValueStart, e.ValueLength);
            }
            _forwardedClientCert = policy.ForwardedClientCert.Value(xfcc, Peer);
        }
        return null;
    }

    /// <summary>The client address appended to X-Forwarded-For: none when the listener's policy disables the append.</summary>
    private byte[]? AppendedClient(byte[]? clientIp) => _clientPolicy?.DisableXffAppend == true ? null : clientIp;

    /// <summary>The request ID and x-forwarded-client-cert lines of the forwarded head, when the listener's policy sets them.</summary>
    private void WriteRequestId(ByteBuilder o)
    {
        if (_requestId is { } id) o.AppendHeader("x-request-id"u8, Encoding.ASCII.GetBytes(id));
        if (_forwardedClientCert is { } xfcc) o.AppendHeader("x-forwarded-client-cert"u8, Encoding.UTF8.GetBytes(xfcc));
    }

    /// <summary>A request header as the backend got it (the request ID the policy chose), for the access log.</summary>
    private string? RequestHeaderAsForwarded(string name)
    {
        if (_clientPolicy is not null && string.Equals(name, ListenerClientPolicy.RequestIdHeader, StringComparison.OrdinalIgnoreCase))
            return _requestId;
        return View.TryGetHeader(name, out var v) ? v.ToString() : null;
    }
}
