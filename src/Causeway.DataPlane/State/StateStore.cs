namespace Causeway.DataPlane.State;

/// <summary>
/// Where state that must outlive a reload lives (per-route statistics today; rate-limit buckets, health state and key
/// caches as the policies come): entries keyed by what defines them (a route rule's name, a policy's settings), not
/// by object identity, so an apply that recompiles an unchanged route finds its state again. An entry no apply asks
/// for between <see cref="BeginApply"/> and <see cref="EndApply"/> is dropped at the end of it (its route is gone).
/// Applies are serialised by the data plane; lookups during an apply are thread-safe.
/// </summary>
internal sealed class StateStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _generation;
    private bool _applying;

    private sealed class Entry(object value, int generation)
    {
        public object Value { get; } = value;
        public int Generation { get; set; } = generation;
    }

    public int Count
    {
        get
        {
            lock (_lock) return _entries.Count;
        }
    }

    public void BeginApply()
    {
        lock (_lock)
        {
            _generation++;
            _applying = true;
        }
    }

    /// <summary>Drops what this apply did not ask for; returns how many entries went.</summary>
    public int EndApply()
    {
        lock (_lock)
        {
            _applying = false;
            var stale = _entries.Where(e => e.Value.Generation != _generation).Select(e => e.Key).ToList();
            foreach (var k in stale)
            {
                if (_entries.Remove(k, out var gone) && gone.Value is IDisposable disposable) disposable.Dispose(); // e.g. a key-set refresher
            }
            return stale.Count;
        }
    }

    /// <summary>Every entry of type <typeparamref name="T"/> (a copy, for exposition).</summary>
    public List<T> Values<T>() where T : class
    {
        lock (_lock) return [.. _entries.Values.Select(e => e.Value).OfType<T>()];
    }

    /// <summary>The state kept under <paramref name="key"/>, made by <paramref name="create"/> the first time.</summary>
    /// <exception cref="InvalidOperationException">The key holds state of another type (two features chose the same key).</exception>
    public T GetOrAdd<T>(string key, Func<T> create) where T : class
    {
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var entry))
            {
                if (_applying) entry.Generation = _generation;
                return entry.Value as T ?? throw new InvalidOperationException($"state '{key}' is a {entry.Value.GetType().Name}, not a {typeof(T).Name}");
            }
            var value = create();
            _entries[key] = new Entry(value, _generation);
            return value;
        }
    }

    /// <summary>Drops every entry, disposing those that hold resources (the data plane is stopping).</summary>
    public void DisposeAll()
    {
        lock (_lock)
        {
            foreach (var e in _entries.Values)
                if (e.Value is IDisposable disposable) disposable.Dispose();
            _entries.Clear();
        }
    }
}
