using Causeway.DataPlane.Transports.Http2;
using static Causeway.DataPlane.Tests.Http2.H2Wire;

namespace Causeway.DataPlane.Tests.Http2;

/// <summary>
/// Flow control in <see cref="Http2ServerSession"/> (RFC 9113 6.9): our receive windows enforced and reopened as the
/// handler acknowledges bytes, response data held by the client's windows and sent as WINDOW_UPDATE and
/// SETTINGS_INITIAL_WINDOW_SIZE arrive, overflow and zero increments.
/// </summary>
public sealed class Http2FlowControlTests
{
    [Fact]
    public void Receive_windows_are_enforced_for_the_connection_and_each_stream()
    {
        // Nobody acknowledges: the fifth 16 KB frame passes the 65535-byte connection window.
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, Post("/"), endStream: false), Data(1, 16384, false), Data(1, 16384, false), Data(1, 16384, false), Data(1, 16383, false));
        Assert.False(wire.Session.IsFailed);
        wire.FeedAll(Data(1, 1, false));
        AssertGoAway(wire, Http2ErrorCode.FlowControlError);

        // With a larger connection window it is the stream's window that overflows.
        wire = new H2Wire(new Http2Settings { ConnectionWindowSize = 1 << 20 });
        wire.FeedAll(Headers(1, Post("/"), endStream: false), Data(1, 16384, false), Data(1, 16384, false), Data(1, 16384, false), Data(1, 16384, false));
        AssertReset(wire, 1, Http2ErrorCode.FlowControlError);
        Assert.Contains("reset 1 FlowControlError session", wire.Events.Log);
    }

    [Fact]
    public void Acknowledged_bytes_open_the_windows_again_with_WINDOW_UPDATE()
    {
        var wire = new H2Wire(autoAcknowledge: true);
        wire.FeedAll(Headers(1, Post("/upload"), endStream: false));
        long sent = 0;
        for (var i = 0; i < 40; i++)
        {
            wire.FeedAll(Data(1, 16384, false)); // 640 KB: ten times the initial windows
            sent += 16384;
        }
        var updates = wire.Read().Where(f => f.Type == Http2Frame.WindowUpdate).ToList();
        Assert.False(wire.Session.IsFailed);
        Assert.InRange(updates.Where(u => u.StreamId == 0).Sum(u => (long)u.WindowIncrement), sent - 65535, sent);
        Assert.InRange(updates.Where(u => u.StreamId == 1).Sum(u => (long)u.WindowIncrement), sent - 65535, sent);
        Assert.All(updates, u => Assert.True(u.WindowIncrement >= 32767));
    }

    [Fact]
    public void Response_data_beyond_the_send_windows_waits_for_WINDOW_UPDATE_in_frames_of_the_peer_size()
    {
        var wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: true));
        wire.Session.SendHeaders(1, 200, [], endStream: false);
        var body = Enumerable.Range(0, 100_000).Select(i => (byte)i).ToArray();
        Assert.True(wire.Session.SendData(1, body, endStream: true));
        var frames = wire.Read().Where(f => f.Type == Http2Frame.Data).ToList();
        Assert.Equal(65535, frames.Sum(f => f.Payload.Length));
        Assert.All(frames, f => Assert.True(f.Payload.Length <= 16384 && !f.Has(Http2Frame.EndStream)));
        Assert.Equal(100_000 - 65535, wire.Session.QueuedBytes);
        Assert.Equal(100_000 - 65535, wire.Session.QueuedBytesOf(1));

        wire.FeedAll(WindowUpdate(1, 50_000)); // the connection window is still empty
        Assert.Empty(wire.Read());
        wire.FeedAll(WindowUpdate(0, 20_000));
        frames = wire.Read();
        Assert.Equal(20_000, frames.Sum(f => f.Payload.Length));
        wire.FeedAll(WindowUpdate(0, 20_000));
        frames.AddRange(wire.Read());
        Assert.Equal(100_000 - 65535, frames.Sum(f => f.Payload.Length));
        Assert.True(frames[^1].Has(Http2Frame.EndStream));
        Assert.Equal(0, wire.Session.QueuedBytes);
        Assert.Equal(0, wire.Session.ActiveStreams);
    }

    [Fact]
    public void A_new_SETTINGS_INITIAL_WINDOW_SIZE_changes_the_windows_of_open_streams()
    {
        var wire = new H2Wire();
        wire.FeedAll(Settings((Http2Frame.SettingsInitialWindowSize, 1000)), Headers(1, Get(), endStream: true));
        wire.Read();
        wire.Session.SendHeaders(1, 200, [], endStream: false);
        wire.Session.SendData(1, new byte[5000], endStream: true);
        Assert.Equal(1000, wire.Read().Where(f => f.Type == Http2Frame.Data).Sum(f => f.Payload.Length));

        wire.FeedAll(Settings((Http2Frame.SettingsInitialWindowSize, 500))); // window now -500
        Assert.True(Assert.Single(wire.Read()).Has(Http2Frame.Ack));
        wire.FeedAll(Settings((Http2Frame.SettingsInitialWindowSize, 3000))); // window now 2000
        var frames = wire.Read();
        Assert.Equal(2000, frames.Where(f => f.Type == Http2Frame.Data).Sum(f => f.Payload.Length));
        Assert.Equal(2000, wire.Session.QueuedBytes);
    }

    [Fact]
    public void Window_overflow_and_zero_increments_are_errors()
    {
        var wire = new H2Wire();
        wire.FeedAll(WindowUpdate(0, int.MaxValue));
        AssertGoAway(wire, Http2ErrorCode.FlowControlError);
        wire = new H2Wire();
        wire.FeedAll(WindowUpdate(0, 0));
        AssertGoAway(wire, Http2ErrorCode.ProtocolError);

        wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: false), WindowUpdate(1, int.MaxValue));
        AssertReset(wire, 1, Http2ErrorCode.FlowControlError);
        wire = new H2Wire();
        wire.FeedAll(Headers(1, Get(), endStream: false), WindowUpdate(1, 0));
        AssertReset(wire, 1, Http2ErrorCode.ProtocolError);
    }
}
