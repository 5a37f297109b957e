# The ADBench classical data sets other than the six ODDS ones, for `imdad evaluate --dataset`
# (sourced by experiments/adbench/adbench.sh and the studies that rerun its small sets).
# Under 50,000 rows:
SMALL="7_Cardiotocography 14_glass 15_Hepatitis 17_InternetAds 19_landsat 20_letter 21_Lymphography 22_magic.gamma 24_mnist 25_musk 28_pendigits 35_SpamBase 39_vertebral 41_Waveform 42_WBC 43_WDBC 45_wine 46_WPBC 1_ALOI 5_campaign"
# Larger:
LARGE="34_smtp 8_celeba 33_skin 10_cover 16_http 11_donors"
