namespace Causeway.Telemetry;

/// <summary>
/// Counts per small integer key (e.g. method and status code packed together) in a fixed open-addressing table: a
/// request costs a probe and an atomic increment, never a dictionary lookup or an allocation. Keys claim a slot once
/// (compare-and-swap); when the table is full, further keys count in <see cref="Overflow"/>.
/// </summary>
public sealed class CounterTable
{
    private const int Empty = 0;
    private readonly int[] _keys;
    private readonly long[] _counts;
    private readonly int _mask;
    private long _overflow;

    /// <param name="capacity">Slots, rounded up to a power of two (16: plenty for the methods and codes one route sees).</param>
    public CounterTable(int capacity = 16)
    {
        var size = 1;
        while (size < capacity) size <<= 1;
        _keys = new int[size];
        _counts = new long[size];
        _mask = size - 1;
    }

    /// <summary>Adds <paramref name="delta"/> to <paramref name="key"/> (any value but 0).</summary>
    public void Add(int key, long delta = 1)
    {
        var i = (int)((uint)key * 2654435761u >> 16) & _mask;
        for (var probe = 0; probe <= _mask; probe++, i = (i + 1) & _mask)
        {
            var k = Volatile.Read(ref _keys[i]);
            if (k == Empty)
            {
                var previous = Interlocked.CompareExchange(ref _keys[i], key, Empty);
                k = previous == Empty ? key : previous;
            }
            if (k == key)
            {
                Interlocked.Add(ref _counts[i], delta);
                return;
            }
        }
        Interlocked.Add(ref _overflow, delta);
    }

    /// <summary>Counts that found no slot.</summary>
    public long Overflow => Interlocked.Read(ref _overflow);

    /// <summary>The keys with their counts (for exposition).</summary>
    public IEnumerable<(int Key, long Count)> Entries()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            var k = Volatile.Read(ref _keys[i]);
            if (k != Empty) yield return (k, Interlocked.Read(ref _counts[i]));
        }
    }
}
