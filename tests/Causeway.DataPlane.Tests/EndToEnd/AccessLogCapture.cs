using System.Text;

namespace Causeway.DataPlane.Tests.EndToEnd;

/// <summary>A stream standing in for <c>causeway run</c>'s stdout: collects the access log lines written to it.</summary>
public sealed class AccessLogCapture : Support.WriteOnlyStream
{
    private readonly Lock _lock = new();
    private readonly MemoryStream _bytes = new();

    /// <summary>Complete lines written so far.</summary>
    public string[] Lines
    {
        get
        {
            lock (_lock)
            {
                var text = Encoding.UTF8.GetString(_bytes.GetBuffer(), 0, (int)_bytes.Length);
                var end = text.LastIndexOf('\n');
                return end < 0 ? [] : text[..end].Split('\n');
            }
        }
    }

    /// <summary>Waits until <paramref name="count"/> lines are there (or the time is up) and returns them.</summary>
    public async Task<string[]> WaitForLinesAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (Lines.Length < count && DateTime.UtcNow < deadline) await Task.Delay(50);
        return Lines;
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        lock (_lock) _bytes.Write(buffer, offset, count);
    }
}
