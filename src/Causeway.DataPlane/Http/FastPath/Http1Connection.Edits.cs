using System.Text;

namespace Causeway.DataPlane.Http.FastPath;

internal sealed partial class Http1Connection
{
    /// <summary>Marks a header line removed by an edit.</summary>
    private static readonly byte[] Removed = [];

    private byte[]?[]? _editState;
    private List<(byte[] Name, byte[] Value)>? _extras;

    private void PrepareEdits(EditStep[] steps) => ApplyEdits(steps, _head.Headers, _head.HeaderCount, _headBuffer);

    /// <summary>
    /// Runs header edits with the semantics of <see cref="HeaderEdits.Apply"/> on a header dictionary: names compare
    /// case-insensitively; set replaces every value, add appends to the existing values joined with ",", remove drops
    /// them all. Results: per line in <see cref="_editState"/> (null unchanged, <see cref="Removed"/>, or a new value)
    /// and added lines in <see cref="_extras"/>.
    /// </summary>
    private void ApplyEdits(EditStep[] steps, HeaderEntry[] entries, int count, byte[] buffer)
    {
        if (_editState is null || _editState.Length < count) _editState = new byte[]?[Math.Max(count, 32)];
        Array.Clear(_editState, 0, count);
        (_extras ??= []).Clear();
        foreach (var step in steps)
        {
            byte[]? existing = null;
            for (var i = 0; i < count; i++)
            {
                ref var e = ref entries[i];
                if (e.Kind != HeaderKind.Forward || ReferenceEquals(_editState[i], Removed)
                    || !Ascii.EqualsIgnoreCase(buffer.AsSpan(e.NameStart, e.NameLength), step.Name))
                    continue;
                if (step.Op == 1)
                {
                    var value = _editState[i] ?? buffer.AsSpan(e.ValueStart, e.ValueLength).ToArray();
                    existing = existing is null ? value : [.. existing, (byte)',', .. value];
                }
                _editState[i] = Removed;
            }
            for (var j = _extras.Count - 1; j >= 0; j--)
            {
                if (!Ascii.EqualsIgnoreCase(_extras[j].Name, step.Name)) continue;
                if (step.Op == 1) existing = existing is null ? _extras[j].Value : [.. existing, (byte)',', .. _extras[j].Value];
                _extras.RemoveAt(j);
            }
            switch (step.Op)
            {
                case 0:
                    _extras.Add((step.Name, step.Value));
                    break;
                case 1:
                    _extras.Add((step.Name, existing is null ? step.Value : [.. existing, (byte)',', .. step.Value]));
                    break;
            }
        }
    }
}
