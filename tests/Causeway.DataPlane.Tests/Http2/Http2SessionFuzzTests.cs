using Causeway.DataPlane.Tests.Fuzz;
using Causeway.DataPlane.Transports.Http2;
using CsCheck;
using static Causeway.DataPlane.Tests.Http2.H2Wire;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>
/// Random frame sequences (well-formed frames of every type with random flags, stream ids and payloads, requests
/// mixed in) never make <see cref="Http2ServerSession"/> throw; it either keeps its limits or fails with GOAWAY, and
/// its output is always whole frames.
/// </summary>
public sealed class Http2SessionFuzzTests
{
    private static readonly Gen<byte[]> AnyFrame = Gen.Frequency(
        (3, Gen.Select(Gen.Byte[0, 10], Gen.Byte, Gen.Int[0, 9], Gen.Byte.Array[0, 40])
            .Select((type, flags, stream, payload) => Frame(type, flags, stream, payload))),
        (3, Gen.Select(Gen.Int[0, 6], Gen.Bool).Select((s, end) => Headers(s * 2 + 1, Get("/f"), end))),
        (2, Gen.Select(Gen.Int[0, 6], Gen.Int[0, 3000], Gen.Bool).Select((s, n, end) => Data(s * 2 + 1, n, end))),
        (1, Gen.Select(Gen.Int[0, 6], Gen.Int[0, 100_000]).Select((s, n) => WindowUpdate(s == 0 ? 0 : s * 2 - 1, n))),
        (1, Gen.Select(Gen.Int[0, 6], Gen.Byte[0, 13]).Select((s, c) => RstStream(s * 2 + 1, (Http2ErrorCode)c))));

    [Fact]
    public void Random_frame_sequences_never_throw_and_leave_whole_frames()
    {
        Gen.Select(AnyFrame.Array[1, 40], Gen.Int[1, 64]).Sample((frames, chunk) =>
        {
            var wire = new H2Wire(new Http2Settings { MaxConcurrentStreams = 3 }, autoAcknowledge: true);
            var bytes = frames.SelectMany(f => f).ToArray();
            var buffer = new List<byte>();
            for (var pos = 0; pos < bytes.Length && !wire.Session.IsFailed; pos += chunk)
            {
                // Delivered in chunks, the unconsumed rest kept, as a socket reader would.
                buffer.AddRange(bytes.AsSpan(pos, Math.Min(chunk, bytes.Length - pos)).ToArray());
                var result = wire.Session.Receive(buffer.ToArray());
                buffer.RemoveRange(0, result.Consumed);
                foreach (var id in new[] { 1, 3, 5, 7 })
                {
                    wire.Session.SendHeaders(id, 200, [], endStream: false);
                    wire.Session.SendData(id, new byte[id * 10_000], endStream: id != 3);
                }
                Assert.True(wire.Session.ActiveStreams <= 3);
                var written = wire.Read(); // parses: every frame whole
                if (wire.Session.IsFailed) Assert.Equal(Http2Frame.GoAway, written[^1].Type);
            }
        }, time: FuzzBudget.Seconds, threads: 1);
    }
}
