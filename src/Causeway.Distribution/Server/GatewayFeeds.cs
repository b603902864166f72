using System.Threading.Channels;
using Causeway.Distribution.Protocol;
using Causeway.Distribution.Wire;
using Causeway.Translation.Ir;
using Google.Protobuf;

namespace Causeway.Distribution.Server;

/// <summary>
/// The state behind the distribution service: per Gateway the latest snapshot (encoded once) and its connected proxies.
/// Each proxy has a one-slot mailbox that keeps only the newest snapshot: snapshots are full, so a slow proxy skips
/// versions instead of queueing them.
/// </summary>
internal sealed class GatewayFeeds
{
    private readonly object _lock = new();
    private readonly Dictionary<string, Feed> _feeds = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();

    public GatewayFeeds(string epoch) => Epoch = epoch;

    public string Epoch { get; }

    public event EventHandler<ProxyAckEventArgs>? Acknowledged;

    public long Publish(string gatewayKey, GatewayIr ir)
    {
        var (json, keys) = IrCodec.Encode(ir);
        lock (_lock)
        {
            var feed = GetFeed(gatewayKey);
            if (feed.Ir is not null && feed.Ir.Equals(ir)) return feed.Version;
            feed.Version++;
            feed.Ir = ir;
            var snapshot = new ConfigSnapshot { Epoch = Epoch, Version = feed.Version, Gateway = gatewayKey, IrJson = ByteString.CopyFrom(json) };
            foreach (var (source, key) in keys) snapshot.PrivateKeys[source] = key;
            feed.Snapshot = snapshot;
            foreach (var c in feed.Connections) c.Mailbox.Writer.TryWrite(snapshot);
            SignalLocked();
            return feed.Version;
        }
    }

    public void Remove(string gatewayKey)
    {
        lock (_lock)
        {
            if (!_feeds.TryGetValue(gatewayKey, out var feed)) return;
            feed.Ir = null;
            feed.Snapshot = null;
            if (feed.Connections.Count == 0) _feeds.Remove(gatewayKey);
        }
    }

    public long? PublishedVersion(string gatewayKey)
    {
        lock (_lock) return _feeds.TryGetValue(gatewayKey, out var f) && f.Snapshot is not null ? f.Version : null;
    }

    public long? AckedVersion(string gatewayKey)
    {
        lock (_lock)
        {
            if (!_feeds.TryGetValue(gatewayKey, out var feed) || feed.Connections.Count == 0) return null;
            long? min = null;
            foreach (var c in feed.Connections)
            {
                if (c.AckedVersion is not { } v) return null;
                min = min is null ? v : Math.Min(min.Value, v);
            }

            return min;
        }
    }

    public IReadOnlyList<ProxyStatus> Proxies(string gatewayKey)
    {
        lock (_lock)
        {
            return _feeds.TryGetValue(gatewayKey, out var feed)
                ? [.. feed.Connections.Select(c => new ProxyStatus(c.ProxyId, c.ConnectedAt, c.AckedVersion, c.NackedVersion, c.LastError))]
                : [];
        }
    }

    /// <summary>Completes when any state changes (publish, connect, disconnect, ack); re-read and wait again.</summary>
    public Task Changed
    {
        get { lock (_lock) return _changed.Task; }
    }

    public Connection Connect(string gatewayKey, string proxyId)
    {
        var connection = new Connection(gatewayKey, proxyId);
        lock (_lock)
        {
            var feed = GetFeed(gatewayKey);
            feed.Connections.Add(connection);
            if (feed.Snapshot is not null) connection.Mailbox.Writer.TryWrite(feed.Snapshot);
            SignalLocked();
        }

        return connection;
    }

    public void Disconnect(Connection connection)
    {
        lock (_lock)
        {
            connection.Mailbox.Writer.TryComplete();
            if (_feeds.TryGetValue(connection.GatewayKey, out var feed))
            {
                feed.Connections.Remove(connection);
                if (feed.Connections.Count == 0 && feed.Snapshot is null) _feeds.Remove(connection.GatewayKey);
            }

            SignalLocked();
        }
    }

    /// <summary>Records an ACK/NACK; answers for another epoch or a version never sent are ignored (false).</summary>
    public bool Record(Connection connection, Ack ack)
    {
        lock (_lock)
        {
            if (ack.Epoch != Epoch || ack.Version <= 0 || !_feeds.TryGetValue(connection.GatewayKey, out var feed) || ack.Version > feed.Version)
                return false;
            if (ack.Ok)
            {
                connection.AckedVersion = Math.Max(connection.AckedVersion ?? 0, ack.Version);
                connection.LastError = null;
            }
            else
            {
                connection.NackedVersion = ack.Version;
                connection.LastError = ack.Error;
            }

            SignalLocked();
        }

        Acknowledged?.Invoke(this, new ProxyAckEventArgs(connection.GatewayKey, connection.ProxyId, ack.Version, ack.Ok, ack.Ok ? null : ack.Error));
        return true;
    }

    private Feed GetFeed(string gatewayKey)
    {
        if (!_feeds.TryGetValue(gatewayKey, out var feed)) _feeds[gatewayKey] = feed = new Feed();
        return feed;
    }

    private void SignalLocked()
    {
        _changed.TrySetResult();
        _changed = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Feed
    {
        public long Version;
        public GatewayIr? Ir;
        public ConfigSnapshot? Snapshot;
        public readonly List<Connection> Connections = [];
    }

    internal sealed class Connection(string gatewayKey, string proxyId)
    {
        public string GatewayKey { get; } = gatewayKey;
        public string ProxyId { get; } = proxyId;
        public DateTimeOffset ConnectedAt { get; } = DateTimeOffset.UtcNow;
        public Channel<ConfigSnapshot> Mailbox { get; } = Channel.CreateBounded<ConfigSnapshot>(
            new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        public long? AckedVersion { get; set; }
        public long? NackedVersion { get; set; }
        public string? LastError { get; set; }
    }
}
