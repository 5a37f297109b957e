/// Colour-blind-safe colours (Okabe & Ito, 2008) used by every chart.
public enum Palette {
    public static let blue = "#0072B2"
    public static let vermillion = "#D55E00"
    public static let bluishGreen = "#009E73"
    public static let orange = "#E69F00"
    public static let skyBlue = "#56B4E9"
    public static let reddishPurple = "#CC79A7"
    public static let yellow = "#F0E442"
    public static let black = "#000000"
    /// Neutral grey for reference lines and annotations.
    public static let grey = "#666666"

    /// Series colours in the order charts assign them (blue first, vermillion second: by convention
    /// normal vs anomalous).
    public static let series: [String] = [blue, vermillion, bluishGreen, orange, reddishPurple, skyBlue, black, yellow]

    /// The colour of series number `index` (wraps around).
    public static func color(_ index: Int) -> String {
        series[((index % series.count) + series.count) % series.count]
    }
}
