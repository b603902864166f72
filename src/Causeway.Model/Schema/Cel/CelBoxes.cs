namespace Causeway.Model.Schema.Cel;

/// <summary>
/// Pre-boxed CEL values: rule evaluation returns bools and small ints as <see cref="object"/>, and boxing each one
/// allocated on every evaluation of every rule. The boxes are immutable and shared.
/// </summary>
internal static class CelBoxes
{
    public static readonly object True = true;
    public static readonly object False = false;

    private const long MinCached = -16;
    private const long MaxCached = 1024;

    private static readonly object[] Longs = CreateLongs();

    public static object Bool(bool value) => value ? True : False;

    public static object Long(long value) => value is >= MinCached and <= MaxCached ? Longs[value - MinCached] : value;

    private static object[] CreateLongs()
    {
        var boxes = new object[MaxCached - MinCached + 1];
        for (var i = 0; i < boxes.Length; i++)
        {
            boxes[i] = i + MinCached;
        }

        return boxes;
    }
}
