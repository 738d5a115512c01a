// Reference geography for the generated store network: real US metro areas (approximate
// 2020 metro population, city-centre coordinates, the ZIP3 prefixes they cover), the 50 states
// plus DC with their state base sales-tax rate (2024, local add-ons excluded) and sales region,
// and the 12 regional distribution centres that replenish them.

export type Region = "Northeast" | "Southeast" | "Midwest" | "South Central" | "Mountain" | "Pacific";
export const REGIONS: readonly Region[] = ["Northeast", "Southeast", "Midwest", "South Central", "Mountain", "Pacific"];

export interface StateInfo {
  state: string;
  name: string;
  region: Region;
  warehouseId: string;
  salesTaxRate: number;
}

// [code, name, region, warehouse, state base rate %]
const STATE_ROWS: [string, string, Region, string, number][] = [
  ["AL", "Alabama", "Southeast", "WH-05", 4], ["AK", "Alaska", "Pacific", "WH-12", 0],
  ["AZ", "Arizona", "Mountain", "WH-11", 5.6], ["AR", "Arkansas", "South Central", "WH-10", 6.5],
  ["CA", "California", "Pacific", "WH-12", 7.25], ["CO", "Colorado", "Mountain", "WH-11", 2.9],
  ["CT", "Connecticut", "Northeast", "WH-01", 6.35], ["DE", "Delaware", "Northeast", "WH-03", 0],
  ["DC", "District of Columbia", "Northeast", "WH-03", 6], ["FL", "Florida", "Southeast", "WH-06", 6],
  ["GA", "Georgia", "Southeast", "WH-05", 4], ["HI", "Hawaii", "Pacific", "WH-12", 4],
  ["ID", "Idaho", "Mountain", "WH-11", 6], ["IL", "Illinois", "Midwest", "WH-08", 6.25],
  ["IN", "Indiana", "Midwest", "WH-07", 7], ["IA", "Iowa", "Midwest", "WH-08", 6],
  ["KS", "Kansas", "Midwest", "WH-09", 6.5], ["KY", "Kentucky", "Southeast", "WH-04", 6],
  ["LA", "Louisiana", "South Central", "WH-10", 4.45], ["ME", "Maine", "Northeast", "WH-02", 5.5],
  ["MD", "Maryland", "Northeast", "WH-03", 6], ["MA", "Massachusetts", "Northeast", "WH-02", 6.25],
  ["MI", "Michigan", "Midwest", "WH-07", 6], ["MN", "Minnesota", "Midwest", "WH-08", 6.875],
  ["MS", "Mississippi", "Southeast", "WH-05", 7], ["MO", "Missouri", "Midwest", "WH-09", 4.225],
  ["MT", "Montana", "Mountain", "WH-11", 0], ["NE", "Nebraska", "Midwest", "WH-09", 5.5],
  ["NV", "Nevada", "Mountain", "WH-11", 6.85], ["NH", "New Hampshire", "Northeast", "WH-02", 0],
  ["NJ", "New Jersey", "Northeast", "WH-01", 6.625], ["NM", "New Mexico", "Mountain", "WH-11", 4.875],
  ["NY", "New York", "Northeast", "WH-01", 4], ["NC", "North Carolina", "Southeast", "WH-04", 4.75],
  ["ND", "North Dakota", "Midwest", "WH-09", 5], ["OH", "Ohio", "Midwest", "WH-07", 5.75],
  ["OK", "Oklahoma", "South Central", "WH-10", 4.5], ["OR", "Oregon", "Pacific", "WH-12", 0],
  ["PA", "Pennsylvania", "Northeast", "WH-03", 6], ["RI", "Rhode Island", "Northeast", "WH-02", 7],
  ["SC", "South Carolina", "Southeast", "WH-04", 6], ["SD", "South Dakota", "Midwest", "WH-09", 4.2],
  ["TN", "Tennessee", "Southeast", "WH-04", 7], ["TX", "Texas", "South Central", "WH-10", 6.25],
  ["UT", "Utah", "Mountain", "WH-11", 6.1], ["VT", "Vermont", "Northeast", "WH-02", 6],
  ["VA", "Virginia", "Southeast", "WH-03", 5.3], ["WA", "Washington", "Pacific", "WH-12", 6.5],
  ["WV", "West Virginia", "Southeast", "WH-03", 6], ["WI", "Wisconsin", "Midwest", "WH-08", 5],
  ["WY", "Wyoming", "Mountain", "WH-11", 4],
];

export const STATES: StateInfo[] = STATE_ROWS.map(([state, name, region, warehouseId, pct]) => ({
  state,
  name,
  region,
  warehouseId,
  // Rates are stored as fractions; rounding keeps 6.875% = 0.06875 exact in decimal terms.
  salesTaxRate: Math.round(pct * 1000) / 100000,
}));

export interface WarehouseInfo {
  warehouseId: string;
  name: string;
  address1: string;
  city: string;
  state: string;
  zip: string;
  lat: number;
  lon: number;
}

export const WAREHOUSES: WarehouseInfo[] = [
  { warehouseId: "WH-01", name: "Edison Distribution Center", address1: "300 Raritan Center Pkwy", city: "Edison", state: "NJ", zip: "08837", lat: 40.5187, lon: -74.3496 },
  { warehouseId: "WH-02", name: "Devens Distribution Center", address1: "45 Jackson Rd", city: "Devens", state: "MA", zip: "01434", lat: 42.5446, lon: -71.6131 },
  { warehouseId: "WH-03", name: "Carlisle Distribution Center", address1: "1200 Allen Rd", city: "Carlisle", state: "PA", zip: "17013", lat: 40.2015, lon: -77.1889 },
  { warehouseId: "WH-04", name: "Concord Distribution Center", address1: "7600 Poplar Tent Rd", city: "Concord", state: "NC", zip: "28027", lat: 35.4088, lon: -80.5795 },
  { warehouseId: "WH-05", name: "McDonough Distribution Center", address1: "1450 Hwy 155 S", city: "McDonough", state: "GA", zip: "30253", lat: 33.4473, lon: -84.1469 },
  { warehouseId: "WH-06", name: "Lakeland Distribution Center", address1: "2750 Drane Field Rd", city: "Lakeland", state: "FL", zip: "33811", lat: 27.9881, lon: -81.9887 },
  { warehouseId: "WH-07", name: "Groveport Distribution Center", address1: "6200 Groveport Rd", city: "Groveport", state: "OH", zip: "43125", lat: 39.8784, lon: -82.8838 },
  { warehouseId: "WH-08", name: "Joliet Distribution Center", address1: "2100 Channahon Rd", city: "Joliet", state: "IL", zip: "60436", lat: 41.5250, lon: -88.0817 },
  { warehouseId: "WH-09", name: "Olathe Distribution Center", address1: "19800 W 159th St", city: "Olathe", state: "KS", zip: "66062", lat: 38.8814, lon: -94.8191 },
  { warehouseId: "WH-10", name: "Lancaster Distribution Center", address1: "3100 N Houston School Rd", city: "Lancaster", state: "TX", zip: "75134", lat: 32.5921, lon: -96.7561 },
  { warehouseId: "WH-11", name: "Goodyear Distribution Center", address1: "16000 W Yuma Rd", city: "Goodyear", state: "AZ", zip: "85338", lat: 33.4353, lon: -112.3577 },
  { warehouseId: "WH-12", name: "Tracy Distribution Center", address1: "2800 Larch Rd", city: "Tracy", state: "CA", zip: "95304", lat: 37.7397, lon: -121.4252 },
];

export interface Metro {
  city: string;
  state: string;
  lat: number;
  lon: number;
  /** Approximate metro population, thousands. Stores are allocated in proportion to it. */
  populationK: number;
  zipPrefixes: string[];
}

// city|state|lat|lon|population (k)|ZIP3 prefixes
const METRO_ROWS = `
New York|NY|40.7128|-74.0060|12500|100,101,102,103,104,110,111,112,113,114,116
Hempstead|NY|40.7062|-73.6187|2800|115,117,118,119
White Plains|NY|41.0340|-73.7629|1000|105,106,107,108
Newark|NJ|40.7357|-74.1724|2100|070,071,072,073,074,075,076
Edison|NJ|40.5187|-74.4121|1200|077,078,079,088,089
Camden|NJ|39.9259|-75.1196|1250|080,081,082,083,084,085,086,087
Philadelphia|PA|39.9526|-75.1652|4900|189,190,191,193,194
Pittsburgh|PA|40.4406|-79.9959|2350|150,151,152,153,154,156
Allentown|PA|40.6084|-75.4902|860|180,181,182
Harrisburg|PA|40.2732|-76.8867|590|170,171,172,173,174,175,176
Scranton|PA|41.4090|-75.6624|560|184,185,186,187,188
Erie|PA|42.1292|-80.0851|270|164,165,163
State College|PA|40.7934|-77.8600|160|166,167,168,169
Boston|MA|42.3601|-71.0589|4900|017,018,019,020,021,022,023,024,025,026,027
Worcester|MA|42.2626|-71.8023|980|014,015,016
Springfield|MA|42.1015|-72.5898|700|010,011,012,013
Providence|RI|41.8240|-71.4128|1680|028,029
Hartford|CT|41.7658|-72.6734|1200|060,061,062
New Haven|CT|41.3083|-72.9279|860|063,064,065,067
Stamford|CT|41.0534|-73.5387|950|066,068,069
Manchester|NH|42.9956|-71.4548|420|030,031,032,033,034,035,036,037,038
Portland|ME|43.6591|-70.2568|550|039,040,041,042,043,044,045,046,047,048,049
Burlington|VT|44.4759|-73.2121|230|050,051,052,053,054,056,057,058,059
Albany|NY|42.6526|-73.7562|900|120,121,122,123,124,125,126,127,128,129
Buffalo|NY|42.8864|-78.8784|1160|140,141,142,143,147
Rochester|NY|43.1566|-77.6088|1090|144,145,146,148,149
Syracuse|NY|43.0481|-76.1474|650|130,131,132,133,134,135,136,137,138,139
Baltimore|MD|39.2904|-76.6122|2840|210,211,212,214,215,216,217,218,219
Washington|DC|38.9072|-77.0369|3300|200,202,203,204,205
Rockville|MD|39.0840|-77.1528|1000|206,207,208,209
Fairfax|VA|38.8462|-77.3064|2000|201,220,221,222,223,226,227
Wilmington|DE|39.7391|-75.5398|720|197,198,199
Richmond|VA|37.5407|-77.4360|1320|224,225,228,229,230,231,232,238,239
Virginia Beach|VA|36.8529|-75.9780|1800|233,234,235,236,237
Roanoke|VA|37.2710|-79.9414|315|240,241,242,243,244,245,246
Charleston|WV|38.3498|-81.6326|255|247,248,249,250,251,252,253,254,255,256,257,258,259
Morgantown|WV|39.6295|-79.9559|140|260,261,262,263,264,265,266,267,268
Charlotte|NC|35.2271|-80.8431|2700|280,281,282,286
Raleigh|NC|35.7796|-78.6382|1450|275,276,277,278,279
Greensboro|NC|36.0726|-79.7920|780|270,271,272,273,274
Asheville|NC|35.5951|-82.5515|470|287,288,289
Wilmington|NC|34.2257|-77.9447|300|283,284,285
Columbia|SC|34.0007|-81.0348|840|290,291,292
Charleston|SC|32.7765|-79.9311|800|294,295
Greenville|SC|34.8526|-82.3940|930|293,296,297
Atlanta|GA|33.7490|-84.3880|6100|300,301,302,303,305,306,311,399
Savannah|GA|32.0809|-81.0912|400|313,314,315
Augusta|GA|33.4735|-82.0105|610|304,307,308,309
Macon|GA|32.8407|-83.6324|420|310,312,316,317,318,319
Jacksonville|FL|30.3322|-81.6557|1600|320,322
Daytona Beach|FL|29.2108|-81.0228|690|321
Orlando|FL|28.5383|-81.3792|2700|327,328,347,344
Tampa|FL|27.9506|-82.4572|3200|335,336,337,338,346
Miami|FL|25.7617|-80.1918|6100|330,331,332,333,334,349
Fort Myers|FL|26.6406|-81.8723|790|339,341
Tallahassee|FL|30.4383|-84.2807|390|323,324
Pensacola|FL|30.4213|-87.2169|510|325
Gainesville|FL|29.6516|-82.3248|340|326
Birmingham|AL|33.5186|-86.8104|1110|350,351,352,354,355
Huntsville|AL|34.7304|-86.5861|500|356,357,358,359
Mobile|AL|30.6954|-88.0399|430|364,365,366,367
Montgomery|AL|32.3668|-86.3000|385|360,361,362,363,368,369
Nashville|TN|36.1627|-86.7816|2000|370,371,372,384,385
Memphis|TN|35.1495|-90.0490|1340|380,381,382,383
Knoxville|TN|35.9606|-83.9207|900|376,377,378,379
Chattanooga|TN|35.0456|-85.3097|570|373,374
Louisville|KY|38.2527|-85.7585|1290|400,401,402,420,421,422,423,424,425,426,427
Lexington|KY|38.0406|-84.5037|520|403,404,405,406,407,408,409,410,411,412,413,414,415,416,417,418
Jackson|MS|32.2988|-90.1848|590|386,387,388,389,390,391,392,393,394,396,397
Gulfport|MS|30.3674|-89.0928|420|395
New Orleans|LA|29.9511|-90.0715|1270|700,701,703,704
Baton Rouge|LA|30.4515|-91.1871|870|706,707,708
Shreveport|LA|32.5252|-93.7502|390|710,711,712,713,714
Lafayette|LA|30.2241|-92.0198|480|705
Little Rock|AR|34.7465|-92.2896|750|716,717,718,719,720,721,722,723,724,725,726,729
Fayetteville|AR|36.0626|-94.1574|560|727,728
Chicago|IL|41.8781|-87.6298|9400|600,601,602,603,604,605,606,607,608,609
Rockford|IL|42.2711|-89.0940|340|610,611,612,613
Peoria|IL|40.6936|-89.5890|400|614,615,616,617
Springfield|IL|39.7817|-89.6501|210|620,622,623,624,625,626,627,628,629
Champaign|IL|40.1164|-88.2434|230|618,619
Indianapolis|IN|39.7684|-86.1581|2100|460,461,462,470,471,472,473,474,478,479
Fort Wayne|IN|41.0793|-85.1394|420|467,468,469
Evansville|IN|37.9716|-87.5711|315|475,476,477
South Bend|IN|41.6764|-86.2520|320|463,464,465,466
Columbus|OH|39.9612|-82.9988|2140|430,431,432,433,437,438
Cleveland|OH|41.4993|-81.6944|2090|440,441,444,445,446,447
Cincinnati|OH|39.1031|-84.5120|2260|450,451,452,456
Dayton|OH|39.7589|-84.1916|815|453,454,455,458
Toledo|OH|41.6528|-83.5379|640|434,435,436
Akron|OH|41.0814|-81.5190|700|442,443,439,457
Detroit|MI|42.3314|-83.0458|4390|480,481,482,483
Grand Rapids|MI|42.9634|-85.6681|1090|490,491,493,494,495,496,497
Lansing|MI|42.7325|-84.5555|540|488,489,492
Flint|MI|43.0125|-83.6875|400|484,485,486,487,498,499
Milwaukee|WI|43.0389|-87.9065|1570|530,531,532,534
Madison|WI|43.0731|-89.4012|680|535,537,538,539
Green Bay|WI|44.5133|-88.0133|330|540,541,542,543,544,545,546,547,548,549
Minneapolis|MN|44.9778|-93.2650|3690|550,551,553,554,555,556,560,561,562,563,564,565,566,567
Rochester|MN|44.0121|-92.4802|225|559
Duluth|MN|46.7867|-92.1005|290|557,558
Des Moines|IA|41.5868|-93.6250|710|500,501,502,503,504,505,506,510,511,512,513,514,515,516
Cedar Rapids|IA|41.9779|-91.6656|275|507,508,522,523,524,525,526
Davenport|IA|41.5236|-90.5776|380|520,521,527,528
Omaha|NE|41.2565|-95.9345|970|680,681,686,687,688,689,690,691,692,693
Lincoln|NE|40.8136|-96.7026|340|683,684,685
Kansas City|MO|39.0997|-94.5786|2190|640,641,644,645,646,647,648,660,661,662
St. Louis|MO|38.6270|-90.1994|2800|630,631,633,634,635,636,637,638,639,650,651,652,653
Springfield|MO|37.2090|-93.2923|475|654,655,656,657,658
Wichita|KS|37.6872|-97.3301|650|670,671,672,673,674,675,676,677,678,679
Topeka|KS|39.0473|-95.6752|230|664,665,666,667,668,669
Fargo|ND|46.8772|-96.7898|250|580,581,582,583,584
Bismarck|ND|46.8083|-100.7837|130|585,586,587,588
Sioux Falls|SD|43.5446|-96.7311|280|570,571,572,573,574,575,576
Rapid City|SD|44.0805|-103.2310|145|577
Dallas|TX|32.7767|-96.7970|4600|750,751,752,753,754,755,756
Fort Worth|TX|32.7555|-97.3308|2600|760,761,762,763,764
Houston|TX|29.7604|-95.3698|7100|770,771,772,773,774,775
Austin|TX|30.2672|-97.7431|2300|786,787,788,789
San Antonio|TX|29.4241|-98.4936|2600|780,781,782
El Paso|TX|31.7619|-106.4850|870|798,799,885
McAllen|TX|26.2034|-98.2300|870|785
Corpus Christi|TX|27.8006|-97.3964|420|783,784
Lubbock|TX|33.5779|-101.8552|320|792,793,794,795,796
Amarillo|TX|35.2220|-101.8313|270|790,791
Waco|TX|31.5493|-97.1467|280|765,766,767,768,769
Tyler|TX|32.3513|-95.3011|235|757,758,759
Beaumont|TX|30.0802|-94.1266|390|776,777,778,779
Midland|TX|31.9973|-102.0779|300|797
Oklahoma City|OK|35.4676|-97.5164|1420|730,731,734,735,736,737,738,739
Tulsa|OK|36.1540|-95.9928|1000|740,741,743,744,745,746,747,748,749
Albuquerque|NM|35.0844|-106.6504|920|870,871,872,873,874
Las Cruces|NM|32.3199|-106.7637|220|880,881,882,883,884
Santa Fe|NM|35.6870|-105.9378|155|875,877,878,879
Denver|CO|39.7392|-104.9903|2960|800,801,802,803,804,806,807
Colorado Springs|CO|38.8339|-104.8214|760|808,809,810,811,812,813,814
Fort Collins|CO|40.5853|-105.0844|360|805
Grand Junction|CO|39.0639|-108.5506|155|815,816
Phoenix|AZ|33.4484|-112.0740|4950|850,851,852,853,855,859,863,864
Tucson|AZ|32.2226|-110.9747|1050|856,857
Flagstaff|AZ|35.1983|-111.6513|145|860,865
Las Vegas|NV|36.1699|-115.1398|2270|889,890,891,893
Reno|NV|39.5296|-119.8138|490|894,895,897,898
Salt Lake City|UT|40.7608|-111.8910|1260|840,841,845
Provo|UT|40.2338|-111.6585|670|846,847
Ogden|UT|41.2230|-111.9738|700|843,844
Boise|ID|43.6150|-116.2023|770|832,833,836,837,838
Idaho Falls|ID|43.4917|-112.0339|160|834,835
Billings|MT|45.7833|-108.5007|185|590,591,592,593,594,595,596,597
Missoula|MT|46.8721|-113.9940|120|598,599
Cheyenne|WY|41.1400|-104.8202|100|820,821,822,823,824,825,828,829,830,831
Casper|WY|42.8666|-106.3131|80|826,827
Los Angeles|CA|34.0522|-118.2437|10000|900,901,902,903,904,905,906,907,908,910,911,912,913,914,915,916,917,918,935
Riverside|CA|33.9806|-117.3755|4600|922,923,924,925
Anaheim|CA|33.8366|-117.9143|3200|926,927,928
San Diego|CA|32.7157|-117.1611|3300|919,920,921
San Francisco|CA|37.7749|-122.4194|2500|940,941,944
Oakland|CA|37.8044|-122.2712|2800|945,946,947,948,949
San Jose|CA|37.3382|-121.8863|2000|950,951
Sacramento|CA|38.5816|-121.4944|2400|956,957,958,959
Fresno|CA|36.7378|-119.7871|1000|936,937,938,939
Bakersfield|CA|35.3733|-119.0187|900|932,933,934
Stockton|CA|37.9577|-121.2908|780|952,953
Santa Barbara|CA|34.4208|-119.6982|450|930,931
Santa Rosa|CA|38.4404|-122.7141|490|954,955
Redding|CA|40.5865|-122.3917|180|960,961
Seattle|WA|47.6062|-122.3321|3000|980,981,982
Tacoma|WA|47.2529|-122.4443|920|983,984,985
Spokane|WA|47.6588|-117.4260|590|990,991,992,993,994
Yakima|WA|46.6021|-120.5059|255|988,989
Portland|OR|45.5152|-122.6784|2500|970,971,972,986
Eugene|OR|44.0521|-123.0868|380|974
Salem|OR|44.9429|-123.0351|430|973
Bend|OR|44.0582|-121.3153|200|977,978,979
Medford|OR|42.3265|-122.8756|220|975,976
Anchorage|AK|61.2181|-149.9003|400|995,996,998,999
Fairbanks|AK|64.8378|-147.7164|95|997
Honolulu|HI|21.3069|-157.8583|1000|968
Hilo|HI|19.7074|-155.0885|200|967
`;

export const METROS: Metro[] = METRO_ROWS.trim()
  .split("\n")
  .map((line) => {
    const [city, state, lat, lon, pop, zips] = line.split("|");
    return { city, state, lat: Number(lat), lon: Number(lon), populationK: Number(pop), zipPrefixes: zips.split(",") };
  });
