namespace Causeway.Echo.Http;

/// <summary>Per-process attempt counters of the <c>/retry/</c> simulator, keyed by the <c>uuid</c> query parameter.</summary>
internal sealed class RetryTracker
{
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Records one attempt and returns its 1-based number.</summary>
    public int RecordAttempt(string uuid)
    {
        lock (_lock)
        {
            _attempts.TryGetValue(uuid, out var count);
            count++;
            _attempts[uuid] = count;
            return count;
        }
    }
}
