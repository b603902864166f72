using Causeway.DataPlane.Telemetry.Tracing;
using Causeway.Translation.Ir;

namespace Causeway.DataPlane.Tests.Observability;

/// <summary>The W3C traceparent reader and the sampling decision made on it (which must allocate nothing).</summary>
public sealed class TraceParentTests
{
    [Theory]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", true, true)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", true, false)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03", true, true)]
    [InlineData("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", true, true)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra", false, false)]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", false, false)]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01", false, false)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", false, false)]
    [InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false, false)]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", false, false)]
    [InlineData("00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", false, false)]
    public void Reads_valid_values_and_their_sampled_flag(string value, bool valid, bool sampled)
    {
        Assert.Equal(valid, TraceParent.TryParse(System.Text.Encoding.ASCII.GetBytes(value), out var s));
        Assert.Equal(sampled, s);
        Assert.Equal(valid, TraceParent.TryParse(value.AsSpan(), out s));
        Assert.Equal(sampled, s);
    }

    [Fact]
    public void Writes_the_value_for_the_backend_and_rewrites_its_parent_id()
    {
        var trace = System.Diagnostics.ActivityTraceId.CreateFromString("4bf92f3577b34da6a3ce929d0e0e4736");
        var value = new byte[TraceParent.Length];
        TraceParent.Write(value, trace, System.Diagnostics.ActivitySpanId.CreateFromString("00f067aa0ba902b7"));
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", System.Text.Encoding.ASCII.GetString(value));
        TraceParent.WriteSpanId(value, System.Diagnostics.ActivitySpanId.CreateFromString("a1b2c3d4e5f60718"));
        Assert.Equal("00-4bf92f3577b34da6a3ce929d0e0e4736-a1b2c3d4e5f60718-01", System.Text.Encoding.ASCII.GetString(value));
    }

    [Fact]
    public void Deciding_not_to_sample_allocates_nothing()
    {
        using var tracer = new GatewayTracer("ns/gw", new TracingIr { Endpoint = "http://127.0.0.1:9", ServiceName = "gw.ns", SamplingRate = 0 });
        var unsampled = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"u8.ToArray();
        var chars = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";
        var decided = 0;
        for (var i = 0; i < 10; i++) Decide(); // warm up (JIT)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++) Decide();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(0, decided);

        void Decide()
        {
            var hasParent = TraceParent.TryParse(unsampled, out var sampled);
            if (tracer.Samples(hasParent, sampled)) decided++;
            hasParent = TraceParent.TryParse(chars.AsSpan(), out sampled);
            if (tracer.Samples(hasParent, sampled)) decided++;
            if (tracer.Samples(hasParent: false, parentSampled: false)) decided++; // rate 0, no parent
        }
    }
}
