using System.Text;

namespace Causeway.Model.Schema;

/// <summary>A mutable stack of path segments, rendered only when an error is reported.</summary>
internal sealed class FieldPath
{
    private readonly List<(string? Name, int Index, bool IsKey)> _segments = new(16);

    public void PushField(string name) => _segments.Add((name, -1, false));

    public void PushIndex(int index) => _segments.Add((null, index, false));

    public void PushKey(string key) => _segments.Add((key, -1, true));

    public void Pop() => _segments.RemoveAt(_segments.Count - 1);

    public override string ToString() => Render(null);

    /// <summary>Renders the path, optionally followed by a child field or a CEL <c>fieldPath</c> suffix such as <c>.foo[0]</c>.</summary>
    public string Render(string? suffix)
    {
        var sb = new StringBuilder();
        foreach (var (name, index, isKey) in _segments)
        {
            if (isKey)
            {
                sb.Append('[').Append(name).Append(']');
            }
            else if (name is null)
            {
                sb.Append('[').Append(index).Append(']');
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }

                sb.Append(name);
            }
        }

        if (!string.IsNullOrEmpty(suffix))
        {
            if (suffix[0] is '.' or '[')
            {
                sb.Append(sb.Length == 0 && suffix[0] == '.' ? suffix[1..] : suffix);
            }
            else
            {
                if (sb.Length > 0)
                {
                    sb.Append('.');
                }

                sb.Append(suffix);
            }
        }

        return sb.ToString();
    }
}
