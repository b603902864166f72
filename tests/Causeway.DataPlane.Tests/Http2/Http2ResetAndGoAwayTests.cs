using Causeway.DataPlane.Transports.Http2;
using static Causeway.DataPlane.Tests.Http2.H2Wire;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>
/// Ending streams and connections in <see cref="Http2ServerSession"/>: RST_STREAM from the client and from the caller,
/// GOAWAY from the client, and the graceful drain (GOAWAY NO_ERROR, new streams refused, open ones finish).
/// </summary>
public sealed class Http2ResetAndGoAwayTests
{
    [Fact]
    public void RST_STREAM_from_the_client_drops_the_stream_and_its_queued_data()
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: true));
        wire.Session.SendHeaders(1, 200, [], endStream: false);
        wire.Session.SendData(1, new byte[100_000], endStream: true);
        wire.Read();
        wire.FeedAll(RstStream(1, Http2ErrorCode.Cancel));
        Assert.Contains("reset 1 Cancel peer", wire.Events.Log);
        Assert.Equal(0, wire.Session.ActiveStreams);
        Assert.Equal(0, wire.Session.QueuedBytes);
        wire.FeedAll(WindowUpdate(0, 100_000), WindowUpdate(1, 100));
        Assert.Empty(wire.Read());
    }

    [Fact]
    public void Reset_by_the_caller_sends_RST_STREAM()
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: false));
        Assert.True(wire.Session.Reset(1, Http2ErrorCode.InternalError));
        AssertReset(wire, 1, Http2ErrorCode.InternalError);
        Assert.False(wire.Session.Reset(1, Http2ErrorCode.InternalError));
        // In flight when we reset: ignored (RFC 9113 section 5.4.2), not answered, and the connection goes on.
        wire.FeedAll(Data(1, 10, endStream: true), Headers(1, [("x-trailer", "t")], endStream: true));
        Assert.Empty(wire.Read());
        Assert.False(wire.Session.IsFailed);
        // A stream we never reset that is closed still gets STREAM_CLOSED.
        wire.FeedAll(Headers(3, Get(), endStream: true));
        wire.Read();
        wire.FeedAll(Data(3, 10, endStream: true));
        AssertReset(wire, 3, Http2ErrorCode.StreamClosed);
    }

    [Fact]
    public void GOAWAY_from_the_client_is_reported()
    {
        var wire = new H2Wire();
        wire.FeedAll(Frame(Http2Frame.GoAway, 0, 0, [0, 0, 0, 7, 0, 0, 0, 0]));
        Assert.Equal(["goaway 7 NoError"], wire.Events.Log);
        Assert.False(wire.Session.IsFailed);
    }

    [Fact]
    public void Drain_sends_GOAWAY_refuses_new_streams_and_lets_open_ones_finish()
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: true));
        wire.Session.Drain();
        var goAway = Assert.Single(wire.Read());
        Assert.Equal(Http2Frame.GoAway, goAway.Type);
        Assert.Equal(Http2ErrorCode.NoError, goAway.GoAwayCode);
        Assert.Equal(1, goAway.GoAwayLastStream);
        wire.FeedAll(Headers(3, Get(), endStream: true));
        AssertReset(wire, 3, Http2ErrorCode.RefusedStream);
        Assert.False(wire.Session.IsDrained);
        wire.Session.SendHeaders(1, 200, [], endStream: true);
        Assert.True(wire.Session.IsDrained);
    }

    [Fact]
    public void A_client_resetting_most_of_its_streams_is_disconnected_with_ENHANCE_YOUR_CALM()
    {
        var wire = new H2Wire(new Http2Settings { PrematureResetMinStreams = 100 });
        for (var id = 1; id < 2 * 99; id += 2) wire.FeedAll(Headers(id, Get(), endStream: true), RstStream(id, Http2ErrorCode.Cancel));
        Assert.False(wire.Session.IsFailed); // 99 streams: below the minimum
        wire.FeedAll(Headers(199, Get(), endStream: true), RstStream(199, Http2ErrorCode.Cancel));
        AssertGoAway(wire, Http2ErrorCode.EnhanceYourCalm);

        // Streams answered before the client resets them do not count.
        wire = new H2Wire(new Http2Settings { PrematureResetMinStreams = 100 });
        for (var id = 1; id < 2 * 300; id += 2)
        {
            wire.FeedAll(Headers(id, Get(), endStream: true));
            wire.Session.SendHeaders(id, 200, [], endStream: true);
        }
        for (var id = 601; id < 601 + 2 * 250; id += 2) wire.FeedAll(Headers(id, Get(), endStream: true), RstStream(id, Http2ErrorCode.Cancel));
        Assert.False(wire.Session.IsFailed);
    }
}
