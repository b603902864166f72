using System.Diagnostics;
using System.Text;
using Causeway.DataPlane.Telemetry.Tracing;

namespace Causeway.DataPlane.Transports.Http1;

/// <summary>
/// Tracing of a byte exchange: the sampling decision on the request's traceparent line (read in place, nothing
/// allocated for an unsampled request), the SERVER span, a CLIENT span per upstream attempt and the traceparent line
/// the backend gets in place of the client's (its parent id rewritten in the forwarded head for each attempt).
/// </summary>
internal sealed partial class Http1Exchange
{
    private GatewayTracer? _tracer;
    private int _traceValueOffset = -1;
    private int _attempts;

    /// <summary>The SERVER span of the current request when it is traced.</summary>
    public Activity? ServerSpan { get; private set; }

    /// <summary>The CLIENT span of the current upstream attempt.</summary>
    public Activity? ClientSpan { get; private set; }

    /// <summary>The index of the request's traceparent line (-1: none), replaced in the forwarded head when traced.</summary>
    private int TraceParentIndex { get; set; } = -1;

    private void ResetTrace()
    {
        _tracer = null;
        ServerSpan = null;
        ClientSpan = null;
        TraceParentIndex = -1;
        _traceValueOffset = -1;
        _attempts = 0;
    }

    private void StartTrace(GatewayTracer tracer)
    {
        var head = Head;
        var buf = HeadBuffer;
        var index = FindHeader(TraceParent.HeaderName);
        var sampled = false;
        var hasParent = index >= 0 && TraceParent.TryParse(Value(index), out sampled);
        if (!tracer.Samples(hasParent, sampled)) return;
        ActivityContext parent = default;
        if (hasParent)
        {
            var state = FindHeader(TraceParent.StateHeaderName);
            parent = TraceParent.Parent(Value(index), state < 0 ? null : Encoding.ASCII.GetString(Value(state)));
        }
        var path = Encoding.ASCII.GetString(buf.AsSpan(head.TargetStart, head.PathLength));
        ServerSpan = tracer.StartServer(View, parent, Method, Match, path, Tls, _transport, StartTimestamp);
        if (ServerSpan is null) return;
        _tracer = tracer;
        TraceParentIndex = index;
    }

    /// <summary>The traceparent line for the backend (its parent id is the attempt's CLIENT span, written per attempt).</summary>
    private void WriteTraceParent(ByteBuilder o)
    {
        o.Append("traceparent: "u8);
        _traceValueOffset = o.Length;
        Span<byte> value = stackalloc byte[TraceParent.Length];
        TraceParent.Write(value, ServerSpan!.TraceId, ServerSpan.SpanId);
        o.Append(value);
        o.Append("\r\n"u8);
    }

    /// <summary>A fresh upstream connection is tried again for the same request: the failed attempt's span ends.</summary>
    public void UpstreamRetried(string reason)
    {
        if (ClientSpan is { } failed) SpanEnds.EndAttempt(failed, reason);
        ClientSpan = null;
        if (ServerSpan is not null) StartAttemptSpan();
    }

    private void StartAttemptSpan()
    {
        if (ClientSpan is { } previous) SpanEnds.EndAttempt(previous, "retried");
        ClientSpan = _tracer!.StartClient(ServerSpan!, StartTimestamp, Method, Target?.Backend, _attempts++);
        if (ClientSpan is not null && _traceValueOffset >= 0)
            TraceParent.WriteSpanId(Forward.Written(_traceValueOffset, TraceParent.Length), ClientSpan.SpanId);
    }

    private int FindHeader(string lowerName)
    {
        var head = Head;
        for (var i = 0; i < head.HeaderCount; i++)
        {
            ref var e = ref head.Headers[i];
            if (e.NameLength == lowerName.Length && Ascii.EqualsIgnoreCase(HeadBuffer.AsSpan(e.NameStart, e.NameLength), lowerName)) return i;
        }
        return -1;
    }

    private ReadOnlySpan<byte> Value(int index)
    {
        ref var e = ref Head.Headers[index];
        return HeadBuffer.AsSpan(e.ValueStart, e.ValueLength);
    }
}
