#!/usr/bin/env node
/*
 * tools/catalog-demo.mjs: generates the demo shop of the catalog service.
 *
 *   node tools/catalog-demo.mjs          (re)writes the files below, then checks them
 *   node tools/catalog-demo.mjs --check  only checks the files already on disk
 *
 * It writes services/catalog/demo/catalog.json (the category tree and the products that
 * 'catalog seed' loads), two SVG images per product in web/static/img/p/<slug>-<n>.svg and
 * one SVG icon per top-level category in web/static/img/c/<slug>.svg; SVG files in those two
 * folders that it no longer generates are deleted. All of that output is committed: edit this
 * script, run it, and commit the script together with what it wrote.
 *
 * The output is deterministic: every "random" choice (brand, price, stock, sale, popularity,
 * age, attributes, colours) comes from a PRNG seeded with a hash of the product's own key, so
 * the same script always writes the same bytes, and adding a product leaves the others alone.
 * Node 18 or later, no npm packages. The check at the end enforces the rules the C loader and
 * the tests rely on (see check()) and exits 1 when one is broken.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const JSON_PATH = path.join(ROOT, 'services/catalog/demo/catalog.json');
const PRODUCT_IMG_DIR = path.join(ROOT, 'web/static/img/p');
const CATEGORY_IMG_DIR = path.join(ROOT, 'web/static/img/c');
const PRODUCT_IMG_URL = '/static/img/p/';
const SEED = 'agora-demo-v1';

/* ---------------------------------------------------------------- deterministic randomness */

/* FNV-1a, 32 bits, over the UTF-8 bytes of 's'. */
function hash32(s) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/* mulberry32: a small seeded PRNG returning floats in [0, 1). */
function prng(key) {
  let a = hash32(`${SEED}:${key}`);
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rnd, list) => list[Math.floor(rnd() * list.length)];
const intIn = (rnd, lo, hi) => lo + Math.floor(rnd() * (hi - lo + 1));

/* ---------------------------------------------------------------------- the category tree */

/* [slug, Korean name, English name, children]; the position is the index + 1. */
const TREE = [
  ['electronics', '전자제품', 'Electronics', [
    ['audio', '오디오', 'Audio'],
    ['computers', '컴퓨터', 'Computers', [
      ['keyboards-mice', '키보드·마우스', 'Keyboards & Mice'],
      ['monitors', '모니터', 'Monitors'],
    ]],
    ['phone-gear', '휴대폰 액세서리', 'Phone Gear'],
  ]],
  ['fashion', '패션', 'Fashion', [
    ['clothing', '의류', 'Clothing', [
      ['tops', '상의', 'Tops'],
      ['bottoms', '하의', 'Bottoms'],
      ['outerwear', '아우터', 'Outerwear'],
    ]],
    ['shoes', '신발', 'Shoes'],
    ['bags', '가방·지갑', 'Bags & Wallets'],
  ]],
  ['beauty', '뷰티', 'Beauty', [
    ['skincare', '스킨케어', 'Skincare'],
    ['makeup', '메이크업', 'Makeup'],
    ['hair-body', '헤어·바디', 'Hair & Body'],
  ]],
  ['home-living', '홈·리빙', 'Home & Living', [
    ['furniture', '가구', 'Furniture'],
    ['bedding', '침구', 'Bedding'],
    ['home-decor', '인테리어 소품', 'Home Decor'],
  ]],
  ['kitchen', '주방', 'Kitchen', [
    ['kitchen-tableware', '식기', 'Tableware'],
    ['cookware', '조리도구', 'Cookware', [
      ['pots-pans', '냄비·프라이팬', 'Pots & Pans'],
      ['kitchen-tools', '주방 소도구', 'Kitchen Tools'],
    ]],
    ['drinkware', '텀블러·컵', 'Drinkware'],
  ]],
  ['sports-outdoor', '스포츠·아웃도어', 'Sports & Outdoor', [
    ['fitness', '피트니스', 'Fitness'],
    ['camping', '캠핑', 'Camping'],
    ['cycling', '자전거', 'Cycling'],
  ]],
  ['books', '도서', 'Books', [
    ['literature', '소설·에세이', 'Fiction & Essays'],
    ['business-economics', '경제·경영', 'Business & Economics'],
    ['hobby-books', '취미·실용', 'Hobbies & How-To'],
  ]],
  ['food', '식품', 'Food', [
    ['coffee-tea', '커피·차', 'Coffee & Tea'],
    ['snacks', '과자·간식', 'Snacks'],
    ['pantry', '양념·식재료', 'Pantry'],
  ]],
  ['toys-kids', '완구·유아', 'Toys & Kids', [
    ['toys', '장난감', 'Toys'],
    ['baby-care', '유아용품', 'Baby Care'],
  ]],
  ['pets', '반려동물', 'Pets', [
    ['dog-supplies', '강아지용품', 'Dog Supplies'],
    ['cat-supplies', '고양이용품', 'Cat Supplies'],
  ]],
];

function buildTree(nodes) {
  return nodes.map(([slug, name, nameEn, children = []], i) => ({
    slug, name, nameEn, position: i + 1, children: buildTree(children),
  }));
}

/* slug -> {node, top (the top-level slug), depth, parent} */
function indexTree(categories) {
  const index = new Map();
  const walk = (list, top, depth, parent) => {
    for (const c of list) {
      index.set(c.slug, { node: c, top: top ?? c.slug, depth, parent });
      walk(c.children, top ?? c.slug, depth + 1, c.slug);
    }
  };
  walk(categories, null, 1, null);
  return index;
}

/* ------------------------------------------------------------------ per top-level category */

/*
 * Fictional brands (English, as the brand field is shown), and closing sentences [ko, en] one of
 * which may end a description. Brand words must never contain the reserved brand words.
 */
const TOP = {
  'electronics': {
    brands: ['Ohmline', 'Bitgil', 'Pixelo', 'Nuritek'],
    closing: [
      ['구매일로부터 1년 동안 무상 보증을 받을 수 있습니다.', 'Backed by a one-year limited warranty.'],
      ['꼼꼼하게 포장해 안전하게 보내 드립니다.', 'Carefully packed so it arrives in perfect shape.'],
    ],
  },
  'fashion': {
    brands: ['Maru Studio', 'Gyeol', 'Oncloth', 'Nabi Lane'],
    closing: [
      ['세탁 전에 안쪽의 케어 라벨을 꼭 확인해 주세요.', 'Please check the care label before washing.'],
      ['사이즈가 맞지 않으면 7일 안에 무료로 교환해 드립니다.', 'Free size exchanges within seven days.'],
    ],
  },
  'beauty': {
    brands: ['Dasom Lab', 'Pureum', 'Yeoul', 'Bomnal'],
    closing: [
      ['개봉 후 12개월 안에 사용하는 것을 권장합니다.', 'Best used within 12 months of opening.'],
      ['동물 실험을 하지 않은 제품입니다.', 'Not tested on animals.'],
    ],
  },
  'home-living': {
    brands: ['Sup Living', 'Doran Home', 'Mori Works'],
    closing: [
      ['사용하지 않은 상품은 7일 안에 반품할 수 있습니다.', 'Unused items can be returned within seven days.'],
      ['주문 후 2~3일 안에 출고됩니다.', 'Ships within two to three days of your order.'],
    ],
  },
  'kitchen': {
    brands: ['Gama', 'Jangdok', 'Bapsim'],
    closing: [
      ['식품용 안전 검사를 통과한 소재만 사용했습니다.', 'Made only from materials tested as food safe.'],
      ['선물 포장을 함께 주문할 수 있습니다.', 'Gift wrapping is available at checkout.'],
    ],
  },
  'sports-outdoor': {
    brands: ['Garam Outdoor', 'Trailnest', 'Peakmoa'],
    closing: [
      ['가볍고 튼튼해 오래 두고 쓸 수 있습니다.', 'Light, tough and built to last.'],
      ['처음 쓰는 분도 쉽게 따라 할 수 있는 사용 안내서를 함께 드립니다.', 'Includes an easy guide for first-timers.'],
    ],
  },
  'books': {
    brands: ['Chaekbit Books', 'Ttalgi Press', 'Sonamu Books'],
    closing: [
      ['새 책 상태를 확인한 뒤 꼼꼼히 포장해 보내 드립니다.', 'Every copy is checked and carefully wrapped before it ships.'],
      ['오후 3시 전에 주문하면 당일 출고됩니다.', 'Orders placed before 3 pm ship the same day.'],
    ],
  },
  'food': {
    brands: ['Nongbu Farm', 'Dasik', 'Jeongseong'],
    closing: [
      ['직사광선을 피해 서늘한 곳에 보관해 주세요.', 'Store in a cool place away from direct sunlight.'],
      ['개봉 후에는 되도록 빨리 드시는 것이 좋습니다.', 'Best enjoyed soon after opening.'],
    ],
  },
  'toys-kids': {
    brands: ['Ttukttak', 'Kkumi', 'Dodam'],
    closing: [
      ['아이가 쓰는 제품이라 모서리를 둥글게 다듬었습니다.', 'Rounded edges make it safe for little ones.'],
      ['선물 포장을 함께 주문할 수 있습니다.', 'Gift wrapping is available at checkout.'],
    ],
  },
  'pets': {
    brands: ['Mungmung', 'Yaong Lab', 'Pawlo'],
    closing: [
      ['반려동물이 처음 사용할 때는 곁에서 지켜봐 주세요.', 'Stay close the first time your pet tries it.'],
      ['수의사와 함께 성분과 소재를 검토했습니다.', 'Ingredients and materials reviewed with a veterinarian.'],
    ],
  },
};

/* ------------------------------------------------------------------------------- products */

/*
 * Products by category. A group: the category slug, attribute choices (key -> values, one value
 * drawn per key), an optional shared sentence [ko, en], and its items:
 *   [Korean name, English name, Korean sentence, English sentence, extra]
 * where extra may hold p: [lowest, highest] price in KRW, a: fixed attributes (they come first
 * and win over the group's), and noShared: true to leave the group's sentence out.
 */
const COLORS = ['black', 'white', 'gray', 'navy', 'beige', 'olive', 'ivory', 'charcoal'];
const CLOTH_SIZES = ['S', 'M', 'L', 'XL'];
const SHOE_SIZES = ['230mm', '240mm', '250mm', '260mm', '270mm', '280mm'];
const BOOK_ATTRS = {
  author: ['윤서연', '박지후', '김도윤', '이하린', '정민재', '최유나', '한지민', '오세진'],
  pages: ['184', '236', '272', '312', '348', '416'],
  format: ['paperback', 'hardcover'],
};

const GROUPS = [
  { leaf: 'audio', attrs: { color: COLORS.slice(0, 5) }, items: [
    ['휴대용 블루투스 스피커', 'Portable Bluetooth Speaker', '손바닥만 한 크기에도 풍성한 저음을 들려주는 블루투스 스피커입니다.', 'A palm-sized Bluetooth speaker with surprisingly full bass.', { p: [39000, 69000], a: { battery: '12h' } }],
    ['방수 아웃도어 스피커', 'Waterproof Outdoor Speaker', 'IPX7 방수를 지원해 물가나 캠핑장에서도 걱정 없이 쓸 수 있습니다.', 'IPX7 waterproofing means it is happy by the pool or at the campsite.', { p: [59000, 99000], a: { battery: '20h', waterproof: 'IPX7' } }],
    ['노이즈 캔슬링 헤드폰', 'Noise Cancelling Headphones', '주변 소음을 줄여 주는 노이즈 캔슬링으로 출퇴근길을 조용하게 만들어 줍니다.', 'Active noise cancelling turns a loud commute into a quiet one.', { p: [189000, 349000], a: { battery: '30h' } }],
    ['접이식 블루투스 헤드폰', 'Foldable Bluetooth Headphones', '가볍게 접어 가방에 넣을 수 있는 온이어 헤드폰입니다.', 'Light on-ear headphones that fold flat into your bag.', { p: [49000, 89000], a: { battery: '40h' } }],
    ['유선 이어폰 마이크 내장', 'Wired Earphones with Mic', '충전 걱정 없이 바로 꽂아 쓰는 3.5mm 유선 이어폰으로, 통화용 마이크가 달려 있습니다.', 'Plug-and-play 3.5mm earphones with an inline mic for calls, no charging needed.', { p: [9900, 19900], a: { connection: '3.5mm' } }],
    ['2.1채널 사운드바', '2.1 Channel Soundbar', '우퍼가 포함된 2.1채널 사운드바로 TV 속 영화를 더 생생하게 즐길 수 있습니다.', 'A 2.1 channel soundbar with a subwoofer that brings TV movies to life.', { p: [159000, 259000], a: { connection: 'HDMI ARC' } }],
    ['레트로 FM 라디오', 'Retro FM Radio', '원목 느낌의 레트로 디자인에 FM 라디오와 블루투스 재생을 모두 담았습니다.', 'A retro wood-look radio with FM tuning and Bluetooth playback.', { p: [45000, 79000] }],
    ['스튜디오 모니터 헤드폰', 'Studio Monitor Headphones', '평탄한 음색으로 녹음과 믹싱 작업에 알맞은 밀폐형 헤드폰입니다.', 'Closed-back headphones with a flat response for recording and mixing.', { p: [99000, 159000], a: { connection: '3.5mm' } }],
  ] },
  { leaf: 'computers', attrs: { color: ['silver', 'space gray', 'black'] }, items: [
    ['USB-C 멀티 허브 7in1', '7-in-1 USB-C Hub', 'HDMI, USB-A, SD 카드 슬롯을 한 번에 더해 주는 노트북용 멀티 허브입니다.', 'Adds HDMI, USB-A and an SD card slot to your laptop through one USB-C port.', { p: [39000, 59000], a: { ports: '7' } }],
    ['알루미늄 노트북 거치대', 'Aluminum Laptop Stand', '화면을 눈높이로 올려 목과 어깨의 부담을 덜어 줍니다.', 'Raises the screen to eye level to take the strain off your neck and shoulders.', { p: [29000, 49000], a: { material: 'aluminum' } }],
    ['외장 SSD 1TB', '1TB Portable SSD', '최대 1,050MB/s 속도로 대용량 사진과 영상을 빠르게 옮길 수 있습니다.', 'Moves large photo and video files quickly at up to 1,050MB/s.', { p: [119000, 159000], a: { capacity: '1TB' } }],
    ['풀HD 웹캠', 'Full HD Webcam', '자동 초점과 잡음 제거 마이크로 화상 회의를 선명하게 해 줍니다.', 'Autofocus and a noise-reducing mic make video calls crisp and clear.', { p: [39000, 69000], a: { resolution: '1080p' } }],
  ] },
  { leaf: 'keyboards-mice', attrs: { color: ['black', 'white', 'gray'] }, items: [
    ['텐키리스 기계식 키보드', 'Tenkeyless Mechanical Keyboard', '숫자 키패드를 뺀 컴팩트한 배열로 책상 공간을 넓게 쓸 수 있습니다.', 'A compact layout without the number pad leaves more room on your desk.', { p: [79000, 139000], a: { switch: 'brown', layout: 'Korean' } }],
    ['저소음 무선 마우스', 'Silent Wireless Mouse', '클릭음이 거의 없어 도서관이나 사무실에서도 편하게 쓸 수 있습니다.', 'Near-silent clicks make it easy to use in libraries and open offices.', { p: [15000, 29000] }],
    ['인체공학 버티컬 마우스', 'Ergonomic Vertical Mouse', '악수하듯 손을 세워 잡는 자세라 오래 작업해도 손목이 편안합니다.', 'Holds your hand in a natural handshake position for long working sessions.', { p: [29000, 49000] }],
    ['슬림 블루투스 키보드', 'Slim Bluetooth Keyboard', '기기 세 대를 등록해 버튼 하나로 전환할 수 있는 얇은 키보드입니다.', 'A slim keyboard that pairs with three devices and switches with one key.', { p: [39000, 69000] }],
    ['대형 데스크 매트', 'Large Desk Mat', '키보드와 마우스를 함께 올려 둘 수 있는 넉넉한 크기의 데스크 매트입니다.', 'A generous desk mat with room for both keyboard and mouse.', { p: [12000, 25000], a: { size: '900x400mm' } }],
    ['키보드 손목 받침대', 'Keyboard Wrist Rest', '메모리폼 쿠션이 타이핑할 때 손목을 부드럽게 받쳐 줍니다.', 'A memory foam cushion that supports your wrists while you type.', { p: [9900, 19900] }],
    ['유선 게이밍 마우스', 'Wired Gaming Mouse', '16,000 DPI 센서와 가벼운 무게로 빠른 움직임에도 정확하게 반응합니다.', 'A light mouse with a 16,000 DPI sensor that keeps up with fast moves.', { p: [35000, 69000], a: { dpi: '16000' } }],
  ] },
  { leaf: 'monitors', attrs: { color: ['black', 'white'] }, items: [
    ['27인치 QHD 모니터', '27-inch QHD Monitor', '2560x1440 해상도의 IPS 패널로 문서와 사진을 선명하게 보여 줍니다.', 'A 2560x1440 IPS panel that keeps documents and photos sharp.', { p: [259000, 389000], a: { size: '27in', resolution: '2560x1440' } }],
    ['24인치 사무용 모니터', '24-inch Office Monitor', '눈의 피로를 줄여 주는 플리커 프리와 블루라이트 감소 모드를 갖췄습니다.', 'Flicker-free with a low blue light mode to ease eye strain.', { p: [149000, 199000], a: { size: '24in', resolution: '1920x1080' } }],
    ['32인치 4K 모니터', '32-inch 4K Monitor', '넓은 4K 화면에 창을 여러 개 띄워도 글자가 또렷합니다.', 'Text stays crisp even with many windows open across the 4K screen.', { p: [429000, 599000], a: { size: '32in', resolution: '3840x2160' } }],
    ['15.6인치 휴대용 모니터', '15.6-inch Portable Monitor', 'USB-C 케이블 하나로 노트북에 연결하는 얇고 가벼운 보조 모니터입니다.', 'A thin, light second screen that connects to your laptop with one USB-C cable.', { p: [159000, 229000], a: { size: '15.6in' } }],
    ['원목 모니터 받침대', 'Wooden Monitor Stand', '받침대 아래 공간에 키보드나 노트를 정리해 둘 수 있습니다.', 'Tuck your keyboard or notebooks into the space underneath.', { p: [29000, 59000], a: { material: 'oak' } }],
    ['듀얼 모니터 암', 'Dual Monitor Arm', '가스 스프링 방식으로 모니터 두 대의 높이와 각도를 손쉽게 조절합니다.', 'Gas springs let you adjust the height and angle of two monitors with ease.', { p: [69000, 119000], a: { load: '9kg per arm' } }],
  ] },
  { leaf: 'phone-gear', attrs: { color: ['black', 'white', 'clear', 'pink', 'blue'] }, items: [
    ['65W 고속 충전기', '65W Fast Charger', '노트북과 스마트폰을 동시에 충전할 수 있는 작은 GaN 충전기입니다.', 'A compact GaN charger that tops up a laptop and a phone at the same time.', { p: [35000, 55000], a: { output: '65W' } }],
    ['보조배터리 10000mAh', '10000mAh Power Bank', '스마트폰을 두 번 넘게 충전할 수 있는 얇은 보조배터리입니다.', 'A slim power bank that charges a phone more than twice.', { p: [25000, 39000], a: { capacity: '10000mAh' } }],
    ['자석 무선 충전 거치대', 'Magnetic Wireless Charging Stand', '휴대폰을 붙이기만 하면 바로 충전되는 탁상용 거치대입니다.', 'Snap your phone on and it starts charging, right on your desk.', { p: [39000, 59000], a: { output: '15W' } }],
    ['투명 젤리 휴대폰 케이스', 'Clear Phone Case', '누렇게 변하지 않는 소재로 오래도록 투명하게 유지됩니다.', 'Made from an anti-yellowing material that stays clear for longer.', { p: [9900, 15900] }],
    ['강화유리 액정 보호 필름 2매', 'Tempered Glass Screen Protector 2-Pack', '가이드 틀이 있어 기포 없이 반듯하게 붙일 수 있습니다.', 'An alignment frame helps you apply it straight and bubble-free.', { p: [7900, 12900], a: { count: '2' } }],
    ['차량용 송풍구 거치대', 'Car Vent Phone Mount', '송풍구에 단단히 고정되어 울퉁불퉁한 길에서도 흔들림이 적습니다.', 'Clamps firmly onto the air vent and stays steady on bumpy roads.', { p: [15000, 25000] }],
    ['C타입 고속 충전 케이블 1m', 'USB-C Fast Charging Cable 1m', '나일론 피복으로 꼬임과 끊어짐에 강한 충전 케이블입니다.', 'A braided nylon cable that resists tangles and fraying.', { p: [6900, 12900], a: { length: '1m' } }],
    ['스마트워치 실리콘 밴드', 'Silicone Smartwatch Band', '땀과 물에 강한 부드러운 실리콘 밴드로 운동할 때 편합니다.', 'A soft silicone band that shrugs off sweat and water during workouts.', { p: [9900, 19900] }],
  ] },
  { leaf: 'tops', attrs: { color: COLORS, size: CLOTH_SIZES }, items: [
    ['오버핏 코튼 반팔 티셔츠', 'Oversized Cotton T-Shirt', '도톰한 면으로 만들어 한 장만 입어도 비치지 않습니다.', 'Made from thick combed cotton, so it is not see-through on its own.', { p: [19000, 32000], a: { material: 'cotton' } }],
    ['베이직 긴팔 티셔츠', 'Basic Long Sleeve Tee', '어떤 옷에도 잘 어울리는 기본 라운드넥 긴팔 티셔츠입니다.', 'A plain crew neck long sleeve tee that goes with everything.', { p: [15000, 25000], a: { material: 'cotton' } }],
    ['옥스퍼드 버튼다운 셔츠', 'Oxford Button-Down Shirt', '출근룩과 주말룩 모두에 어울리는 탄탄한 옥스퍼드 셔츠입니다.', 'A sturdy oxford shirt that works for the office and the weekend.', { p: [39000, 59000], a: { material: 'cotton' } }],
    ['린넨 블렌드 셔츠', 'Linen Blend Shirt', '바람이 잘 통하는 린넨 혼방 소재로 한여름에도 시원합니다.', 'A breathable linen blend that stays cool in the height of summer.', { p: [45000, 69000], a: { material: 'linen blend' } }],
    ['기모 맨투맨', 'Fleece-Lined Sweatshirt', '안쪽에 부드러운 기모를 넣어 쌀쌀한 날에도 따뜻하게 입을 수 있습니다.', 'A soft brushed lining keeps you warm on chilly days.', { p: [29000, 45000] }],
    ['케이블 니트 스웨터', 'Cable Knit Sweater', '울 혼방 원사로 짠 클래식한 꽈배기 니트입니다.', 'A classic cable knit sweater in a soft wool blend.', { p: [49000, 79000], a: { material: 'wool blend' } }],
    ['데일리 후드 티셔츠', 'Everyday Pullover Hoodie', '넉넉한 후드와 캥거루 포켓이 있는 데일리 후드 티셔츠입니다.', 'An everyday hoodie with a roomy hood and a kangaroo pocket.', { p: [35000, 55000] }],
  ] },
  { leaf: 'bottoms', attrs: { color: COLORS, size: CLOTH_SIZES }, items: [
    ['와이드 데님 팬츠', 'Wide Leg Jeans', '허리는 잡아 주고 다리는 넉넉한 와이드 핏 청바지입니다.', 'Wide leg jeans that fit at the waist and relax through the leg.', { p: [45000, 69000], a: { material: 'denim' } }],
    ['밴딩 슬랙스', 'Elastic Waist Slacks', '뒤 허리 밴딩으로 편하면서도 단정해 보이는 슬랙스입니다.', 'Smart-looking slacks with an elastic back waist for all-day comfort.', { p: [35000, 55000] }],
    ['스웨트 조거 팬츠', 'Sweat Jogger Pants', '발목 시보리가 있어 운동할 때나 집에서나 편하게 입을 수 있습니다.', 'Ribbed cuffs at the ankle make them easy to wear at the gym or at home.', { p: [25000, 39000] }],
    ['코튼 치노 팬츠', 'Cotton Chino Pants', '적당한 두께의 면 트윌 소재로 사계절 내내 입기 좋습니다.', 'Mid-weight cotton twill that works in every season.', { p: [39000, 59000], a: { material: 'cotton' } }],
    ['플리츠 롱 스커트', 'Pleated Long Skirt', '걸을 때마다 주름이 부드럽게 흔들리는 롱 스커트입니다.', 'A long skirt with pleats that sway softly as you walk.', { p: [35000, 59000] }],
    ['린넨 반바지', 'Linen Shorts', '가볍고 시원한 린넨 소재로 여름 휴가에 잘 어울립니다.', 'Light, cool linen shorts made for summer holidays.', { p: [25000, 39000], a: { material: 'linen' } }],
  ] },
  { leaf: 'outerwear', attrs: { color: COLORS, size: CLOTH_SIZES }, items: [
    ['경량 패딩 점퍼', 'Lightweight Puffer Jacket', '작게 접어 파우치에 넣을 수 있는 가벼운 덕다운 패딩입니다.', 'A light duck down jacket that packs into its own pouch.', { p: [69000, 119000], a: { fill: 'duck down' } }],
    ['울 블렌드 롱 코트', 'Wool Blend Long Coat', '어깨선이 자연스러운 오버사이즈 핏의 울 혼방 코트입니다.', 'An oversized wool blend coat with a relaxed shoulder.', { p: [159000, 259000], a: { material: 'wool blend' } }],
    ['워싱 데님 재킷', 'Washed Denim Jacket', '빈티지한 워싱이 멋스러운 사계절 데님 재킷입니다.', 'A vintage-washed denim jacket for every season.', { p: [59000, 89000], a: { material: 'denim' } }],
    ['방풍 바람막이 재킷', 'Windbreaker Jacket', '가벼운 방풍 소재에 발수 코팅을 더해 산책과 등산에 좋습니다.', 'A light windproof shell with a water-repellent finish for walks and hikes.', { p: [49000, 89000] }],
    ['플리스 집업 재킷', 'Fleece Zip-Up Jacket', '보송보송한 플리스가 체온을 지켜 주는 간절기 아우터입니다.', 'A fluffy fleece layer that keeps the warmth in between seasons.', { p: [39000, 65000], a: { material: 'polyester fleece' } }],
    ['클래식 트렌치 코트', 'Classic Trench Coat', '허리 벨트와 더블 버튼이 있는 봄가을용 트렌치 코트입니다.', 'A double-breasted trench coat with a waist belt for spring and autumn.', { p: [129000, 199000] }],
  ] },
  { leaf: 'shoes', attrs: { color: COLORS.slice(0, 6), size: SHOE_SIZES }, items: [
    ['데일리 캔버스 운동화', 'Everyday Canvas Sneakers', '어디에나 잘 어울리는 기본 캔버스 운동화로 매일 신기 좋습니다.', 'Simple canvas sneakers that go with anything, day after day.', { p: [39000, 59000] }],
    ['쿠션 워킹화', 'Cushioned Walking Shoes', '푹신한 쿠션 깔창으로 오래 걸어도 발이 편안한 워킹화입니다.', 'Walking shoes with a plush insole that stay comfortable mile after mile.', { p: [59000, 89000] }],
    ['소가죽 페니 로퍼', 'Leather Penny Loafers', '부드러운 소가죽으로 만들어 청바지와 슬랙스 모두에 잘 어울립니다.', 'Soft cowhide loafers that dress up jeans or slacks.', { p: [79000, 129000], a: { material: 'leather' } }],
    ['스웨이드 첼시 부츠', 'Suede Chelsea Boots', '양옆 밴딩으로 쉽게 신고 벗을 수 있는 스웨이드 첼시 부츠입니다.', 'Suede Chelsea boots with elastic sides that slip on and off easily.', { p: [89000, 139000], a: { material: 'suede' } }],
    ['슬립온 스니커즈', 'Slip-On Sneakers', '끈 없이 편하게 신는 슬립온으로 여행할 때 특히 좋습니다.', 'Laceless slip-ons that are especially handy when you travel.', { p: [35000, 55000] }],
    ['트레일 러닝화', 'Trail Running Shoes', '접지력이 뛰어난 아웃솔로 흙길과 산길을 안정적으로 달릴 수 있습니다.', 'A grippy outsole keeps you steady on dirt paths and mountain trails.', { p: [99000, 149000] }],
    ['여성 레인부츠', "Women's Rain Boots", '가벼운 고무 소재로 비 오는 날에도 발을 보송하게 지켜 줍니다.', 'Light rubber boots that keep your feet dry on rainy days.', { p: [35000, 55000], a: { material: 'rubber' } }],
    ['발레 플랫 슈즈', 'Ballet Flats', '굽이 낮고 발볼이 넉넉해 출근길에 신기 편합니다.', 'Low heels and a roomy toe box make them an easy commute shoe.', { p: [39000, 59000] }],
    ['키즈 벨크로 운동화', 'Kids Velcro Sneakers', '아이 혼자서도 신고 벗을 수 있는 벨크로 운동화입니다.', 'Velcro sneakers little ones can put on by themselves.', { p: [29000, 45000], a: { size: '180mm' } }],
  ] },
  { leaf: 'bags', attrs: { color: COLORS.slice(0, 6) }, items: [
    ['캔버스 토트백', 'Canvas Tote Bag', '노트북과 책이 넉넉하게 들어가는 두꺼운 캔버스 토트백입니다.', 'A heavy canvas tote with room for a laptop and a few books.', { p: [19000, 35000], a: { material: 'canvas' } }],
    ['15인치 나일론 백팩', '15-inch Nylon Backpack', '노트북 수납칸과 생활 방수 원단을 갖춘 출퇴근용 백팩입니다.', 'A commuter backpack with a laptop sleeve and water-resistant fabric.', { p: [49000, 89000], a: { material: 'nylon' } }],
    ['가죽 크로스백', 'Leather Crossbody Bag', '스마트폰과 지갑이 쏙 들어가는 크기의 소가죽 크로스백입니다.', 'A cowhide crossbody bag just big enough for a phone and a wallet.', { p: [69000, 129000], a: { material: 'leather' } }],
    ['미니 숄더백', 'Mini Shoulder Bag', '가볍게 외출할 때 들기 좋은 미니 사이즈 숄더백입니다.', 'A mini shoulder bag for light outings.', { p: [39000, 69000] }],
    ['하드 캐리어 24인치', '24-inch Hard Shell Suitcase', '360도 회전 바퀴와 TSA 잠금장치를 갖춘 여행용 캐리어입니다.', 'A travel suitcase with 360-degree spinner wheels and a TSA lock.', { p: [119000, 189000], a: { size: '24in' } }],
    ['데일리 슬링백', 'Everyday Sling Bag', '몸에 밀착되어 자전거를 타거나 걸을 때 편한 슬링백입니다.', 'A sling bag that sits close to your body when you walk or ride.', { p: [29000, 49000] }],
    ['가죽 카드 지갑', 'Leather Card Wallet', '카드 여섯 장과 지폐를 얇게 담을 수 있는 카드 지갑입니다.', 'A slim wallet that holds six cards and a few folded notes.', { p: [25000, 45000], a: { material: 'leather' } }],
  ] },
  { leaf: 'skincare', attrs: { skin: ['all', 'dry', 'oily', 'sensitive', 'combination'] }, d: ['피부 자극 테스트를 마친 저자극 제품입니다.', 'Dermatologically tested for low irritation.'], items: [
    ['수분 진정 토너 300ml', 'Hydrating Calming Toner 300ml', '어성초와 판테놀이 세안 후 당기는 피부를 촉촉하게 진정시켜 줍니다.', 'Houttuynia and panthenol soothe and hydrate tight skin after cleansing.', { p: [15000, 25000], a: { volume: '300ml' } }],
    ['히알루론산 수분 세럼', 'Hyaluronic Acid Serum', '다섯 가지 히알루론산이 피부 속까지 수분을 채워 줍니다.', 'Five types of hyaluronic acid deliver deep, lasting hydration.', { p: [19000, 32000], a: { volume: '50ml' } }],
    ['약산성 폼 클렌저', 'Low pH Foam Cleanser', '촘촘한 거품이 노폐물은 씻어 내고 피부 보호막은 지켜 줍니다.', 'A dense lather that washes away grime while protecting the skin barrier.', { p: [9900, 16900], a: { volume: '150ml' } }],
    ['데일리 선크림 SPF50+', 'Daily Sunscreen SPF50+', '백탁 없이 가볍게 발리는 데일리 자외선 차단제입니다.', 'A light daily sunscreen that goes on without a white cast.', { p: [15000, 24000], a: { volume: '50ml', spf: 'SPF50+ PA++++' } }],
    ['시카 수분 크림', 'Cica Moisture Cream', '병풀 추출물이 예민해진 피부를 편안하게 가라앉혀 줍니다.', 'Centella extract calms skin that feels sensitive or stressed.', { p: [19000, 32000], a: { volume: '80ml' } }],
    ['비타민 C 앰플', 'Vitamin C Ampoule', '칙칙한 피부 톤을 맑고 환하게 가꿔 주는 비타민 앰플입니다.', 'A vitamin ampoule that brightens a dull complexion.', { p: [22000, 35000], a: { volume: '30ml' } }],
    ['진정 시트 마스크 10매', 'Soothing Sheet Mask 10-Pack', '얇은 시트가 얼굴에 밀착되어 에센스를 골고루 전달합니다.', 'A thin sheet that hugs your face and spreads the essence evenly.', { p: [9900, 19900], a: { count: '10' } }],
  ] },
  { leaf: 'makeup', attrs: { finish: ['matte', 'satin', 'dewy'] }, items: [
    ['촉촉 쿠션 파운데이션', 'Dewy Cushion Foundation', '얇고 촉촉하게 밀착되어 하루 종일 건조하지 않은 쿠션입니다.', 'A thin, dewy cushion layer that keeps skin from drying out all day.', { p: [25000, 38000], a: { shade: '21 light beige' } }],
    ['벨벳 립 틴트', 'Velvet Lip Tint', '보송하게 마무리되는 벨벳 텍스처로 발색이 오래갑니다.', 'A soft velvet finish with long-lasting color.', { p: [12000, 18000], a: { shade: 'rose brick' } }],
    ['9색 아이섀도 팔레트', '9-Color Eyeshadow Palette', '매트와 펄이 조화로운 데일리 컬러 아홉 가지를 담았습니다.', 'Nine everyday shades with a balanced mix of matte and shimmer.', { p: [22000, 35000], a: { count: '9' } }],
    ['워터프루프 마스카라', 'Waterproof Mascara', '땀과 물에도 번지지 않고 속눈썹을 또렷하게 올려 줍니다.', 'Lifts and defines lashes without smudging, even in the rain.', { p: [13000, 19000], a: { shade: 'black' } }],
    ['젤 펜슬 아이라이너', 'Gel Pencil Eyeliner', '부드럽게 그려지고 빠르게 고정되는 젤 타입 아이라이너입니다.', 'A gel pencil that glides on smoothly and sets fast.', { p: [9000, 14000], a: { shade: 'deep brown' } }],
    ['메이크업 브러시 세트', 'Makeup Brush Set', '파운데이션부터 아이 메이크업까지 쓸 수 있는 브러시 여덟 개 세트입니다.', 'Eight brushes covering everything from foundation to eyes.', { p: [25000, 45000], a: { count: '8' } }],
  ] },
  { leaf: 'hair-body', attrs: { skin: ['all', 'dry', 'sensitive'] }, items: [
    ['약산성 샴푸 500ml', 'Gentle pH Shampoo 500ml', '두피에 순한 약산성 세정 성분으로 매일 쓰기 좋습니다.', 'Mild, pH-balanced cleansers that are gentle enough for daily use.', { p: [12000, 19000], a: { volume: '500ml' } }],
    ['손상모 헤어 트리트먼트', 'Repair Hair Treatment', '거칠어진 머릿결을 부드럽고 윤기 있게 가꿔 줍니다.', 'Leaves rough, damaged hair smooth and glossy.', { p: [12000, 22000], a: { volume: '300ml' } }],
    ['라벤더 바디 워시', 'Lavender Body Wash', '은은한 라벤더 향이 샤워 후에도 잔잔하게 남습니다.', 'A gentle lavender scent that lingers softly after your shower.', { p: [9900, 16900], a: { volume: '500ml', scent: 'lavender' } }],
    ['시어버터 바디 로션', 'Shea Butter Body Lotion', '끈적임 없이 흡수되어 건조한 피부를 오래 촉촉하게 지켜 줍니다.', 'Absorbs without stickiness and keeps dry skin moisturized for hours.', { p: [12000, 19000], a: { volume: '400ml' } }],
    ['핸드크림 3종 세트', 'Hand Cream Trio', '들고 다니기 좋은 작은 튜브 세 개로 그날 기분에 맞는 향을 고를 수 있습니다.', 'Three travel-size tubes, each with its own scent.', { p: [15000, 25000], a: { count: '3' } }],
    ['아르간 헤어 오일', 'Argan Hair Oil', '드라이 전에 몇 방울 바르면 열 손상을 줄이고 윤기를 더해 줍니다.', 'A few drops before blow-drying protect from heat and add shine.', { p: [15000, 25000], a: { volume: '100ml' } }],
    ['코튼 향 바디 미스트', 'Fresh Cotton Body Mist', '갓 빨래한 듯 깨끗한 향을 가볍게 뿌릴 수 있는 바디 미스트입니다.', 'A light mist with the clean scent of freshly washed laundry.', { p: [12000, 22000], a: { volume: '150ml', scent: 'cotton' } }],
  ] },
  { leaf: 'furniture', attrs: { color: ['natural', 'walnut', 'white', 'black'] }, d: ['간단한 조립 설명서와 공구가 함께 들어 있습니다.', 'Comes with simple assembly instructions and the tools you need.'], items: [
    ['원목 사이드 테이블', 'Solid Wood Side Table', '소파 옆이나 침대 옆에 두기 좋은 아담한 원목 테이블입니다.', 'A compact solid wood table for beside the sofa or the bed.', { p: [59000, 99000], a: { material: 'oak' } }],
    ['4단 오픈 책장', '4-Tier Open Bookshelf', '책과 소품을 함께 진열할 수 있는 개방형 책장입니다.', 'An open bookshelf for books and display pieces alike.', { p: [69000, 129000], a: { material: 'pine' } }],
    ['패브릭 1인 소파', 'Fabric Armchair', '등받이가 깊어 책을 읽거나 쉬기 좋은 1인용 패브릭 소파입니다.', 'A deep-backed armchair made for reading and resting.', { p: [189000, 329000], a: { material: 'fabric' }, noShared: true }],
    ['높이 조절 전동 책상', 'Electric Standing Desk', '버튼 하나로 높이를 바꿔 앉아서도 서서도 일할 수 있습니다.', 'Change the height with one button and work sitting or standing.', { p: [329000, 549000], a: { size: '1400x700mm' } }],
    ['접이식 원목 스툴', 'Folding Wooden Stool', '필요할 때 펼쳐 쓰고 접어서 틈새에 보관할 수 있습니다.', 'Unfold it when guests come and tuck it away when they leave.', { p: [25000, 45000], a: { material: 'beech' }, noShared: true }],
    ['수납 침대 프레임 퀸', 'Queen Storage Bed Frame', '침대 아래 서랍 두 개에 계절 옷과 이불을 정리할 수 있습니다.', 'Two drawers underneath hold off-season clothes and spare bedding.', { p: [390000, 690000], a: { size: 'queen' } }],
    ['철제 스탠드 행거', 'Metal Clothes Rack', '조립이 간단하고 튼튼한 철제 행거로 옷을 걸어 두기 좋습니다.', 'A sturdy, easy-to-assemble metal rack for hanging clothes.', { p: [29000, 59000], a: { material: 'steel' } }],
  ] },
  { leaf: 'bedding', attrs: { size: ['single', 'super single', 'queen', 'king'], color: ['white', 'ivory', 'gray', 'sage'] }, items: [
    ['모달 차렵이불', 'Modal Comforter', '부드럽고 시원한 모달 원단으로 사계절 덮기 좋은 차렵이불입니다.', 'A soft, cool modal comforter for every season.', { p: [69000, 129000], a: { material: 'modal' } }],
    ['구스다운 베개', 'Goose Down Pillow', '복원력이 좋은 구스다운이 목과 머리를 포근하게 받쳐 줍니다.', 'Resilient goose down that cradles your head and neck.', { p: [49000, 89000], a: { fill: 'goose down' } }],
    ['순면 베개 커버 2장', 'Cotton Pillowcase Set of 2', '40수 순면으로 만들어 피부에 닿는 느낌이 부드럽습니다.', 'Fine 40s cotton that feels smooth against your skin.', { p: [15000, 25000], a: { material: 'cotton' } }],
    ['메모리폼 매트리스 토퍼', 'Memory Foam Mattress Topper', '딱딱한 매트리스 위에 깔면 몸에 맞게 부드럽게 눌려 줍니다.', 'Lay it over a firm mattress for a softer, body-hugging feel.', { p: [89000, 159000], a: { thickness: '5cm' } }],
    ['극세사 담요', 'Microfiber Throw Blanket', '소파에서 덮기 좋은 포근한 극세사 담요입니다.', 'A cozy microfiber throw for nights on the sofa.', { p: [19000, 35000] }],
    ['방수 매트리스 커버', 'Waterproof Mattress Protector', '얇은 방수층이 매트리스를 얼룩과 진드기로부터 지켜 줍니다.', 'A thin waterproof layer that guards the mattress from stains and dust mites.', { p: [25000, 45000] }],
  ] },
  { leaf: 'home-decor', attrs: { color: ['white', 'beige', 'terracotta', 'sage', 'black'] }, items: [
    ['LED 무드등', 'LED Mood Lamp', '밝기와 색온도를 바꿀 수 있어 잠들기 전 침실에 잘 어울립니다.', 'Adjustable brightness and color temperature, perfect for winding down at bedtime.', { p: [25000, 45000] }],
    ['세라믹 화병', 'Ceramic Flower Vase', '매트한 유약을 입힌 화병으로 꽃 한 송이만 꽂아도 멋스럽습니다.', 'A matte-glazed ceramic vase that looks lovely with even a single stem.', { p: [19000, 39000], a: { material: 'ceramic' } }],
    ['소이 캔들 200g', 'Soy Candle 200g', '천연 소이 왁스로 만들어 그을음이 적고 은은하게 향이 퍼집니다.', 'Natural soy wax burns clean and spreads a gentle scent.', { p: [15000, 29000], a: { scent: 'fig' } }],
    ['리드 디퓨저 200ml', 'Reed Diffuser 200ml', '불을 켜지 않아도 두 달 가까이 향이 은은하게 이어집니다.', 'Fragrance without a flame that lasts close to two months.', { p: [19000, 32000], a: { volume: '200ml', scent: 'white tea' } }],
    ['무소음 원목 벽시계', 'Silent Wooden Wall Clock', '초침이 조용하게 움직여 침실에 걸어도 편안합니다.', 'A quiet sweep movement that is calm enough for the bedroom.', { p: [29000, 49000] }],
    ['원형 코튼 러그', 'Round Cotton Rug', '손으로 짠 코튼 러그로 거실에 따뜻한 분위기를 더해 줍니다.', 'A hand-woven cotton rug that warms up the living room.', { p: [49000, 99000], a: { size: '120cm' } }],
    ['원목 액자 A4', 'Wooden Photo Frame A4', '사진이나 포스터를 넣어 벽에 걸거나 세워 둘 수 있습니다.', 'Hang it on the wall or stand it on a shelf with a photo or print.', { p: [12000, 22000], a: { size: 'A4' } }],
    ['암막 커튼 2장', 'Blackout Curtains Set of 2', '빛을 거의 완벽하게 막아 주어 낮에도 깊은 잠을 잘 수 있습니다.', 'Blocks nearly all light so you can sleep soundly even in the daytime.', { p: [39000, 79000] }],
  ] },
  { leaf: 'kitchen-tableware', attrs: { color: ['white', 'ivory', 'gray', 'navy'] }, d: ['식기세척기와 전자레인지에 모두 쓸 수 있습니다.', 'Dishwasher and microwave safe.'], items: [
    ['도자기 밥공기 4개 세트', 'Porcelain Rice Bowls Set of 4', '손에 쥐기 좋은 크기의 밥공기 네 개를 한 세트로 담았습니다.', 'Four comfortably sized rice bowls in one set.', { p: [25000, 39000], a: { material: 'porcelain', count: '4' } }],
    ['아카시아 원목 접시', 'Acacia Wood Plate', '빵이나 치즈를 담기 좋은 아카시아 원목 플레이트입니다.', 'An acacia wood plate for bread, cheese and snacks.', { p: [15000, 25000], a: { material: 'acacia' }, noShared: true }],
    ['유리 파스타 볼', 'Glass Pasta Bowl', '넉넉한 깊이로 파스타와 샐러드를 담기 좋은 강화유리 볼입니다.', 'A deep tempered glass bowl for pasta and salads.', { p: [9900, 16900], a: { material: 'tempered glass' } }],
    ['스테인리스 수저 세트', 'Stainless Spoon and Chopsticks Set', '녹이 잘 슬지 않는 스테인리스로 만든 수저 두 벌 세트입니다.', 'Two pairs of rust-resistant stainless spoons and chopsticks.', { p: [15000, 29000], a: { material: 'stainless steel' }, noShared: true }],
    ['디저트 접시 2개 세트', 'Dessert Plate Pair', '테두리의 잔꽃 무늬가 예쁜 디저트 접시 두 장입니다.', 'Two dessert plates with a delicate floral rim.', { p: [19000, 29000] }],
    ['오벌 서빙 플레이터', 'Oval Serving Platter', '손님상에 올리기 좋은 넉넉한 타원형 접시입니다.', 'A generous oval platter for serving guests.', { p: [25000, 45000] }],
  ] },
  { leaf: 'pots-pans', attrs: { material: ['stainless steel', 'aluminum', 'cast iron'] }, d: ['인덕션과 가스레인지에서 모두 쓸 수 있습니다.', 'Works on induction and gas cooktops.'], items: [
    ['스테인리스 편수 냄비 18cm', 'Stainless Saucepan 18cm', '3중 바닥이 열을 고르게 전달해 라면과 국을 빠르게 끓일 수 있습니다.', 'A tri-ply base spreads heat evenly for quick noodles and soups.', { p: [35000, 59000], a: { size: '18cm', material: 'stainless steel' } }],
    ['논스틱 프라이팬 28cm', 'Nonstick Frying Pan 28cm', '음식이 잘 눌어붙지 않아 적은 기름으로도 요리할 수 있습니다.', 'Food releases easily, so you can cook with very little oil.', { p: [29000, 49000], a: { size: '28cm', material: 'aluminum' } }],
    ['법랑 무쇠 냄비 22cm', 'Enameled Cast Iron Pot 22cm', '묵직한 무쇠가 열을 오래 머금어 찜과 스튜 요리에 알맞습니다.', 'Heavy cast iron holds heat for braises and stews.', { p: [129000, 199000], a: { size: '22cm', material: 'cast iron' } }],
    ['깊은 궁중팬 30cm', 'Deep Wok Pan 30cm', '깊이가 있어 볶음밥과 찌개를 모두 하기 좋은 팬입니다.', 'Deep enough for fried rice one night and stew the next.', { p: [35000, 59000], a: { size: '30cm' } }],
    ['사각 계란말이 팬', 'Square Egg Roll Pan', '사각 모양이라 계란말이를 반듯하게 말 수 있습니다.', 'The square shape rolls neat Korean-style omelets.', { p: [19000, 29000], a: { material: 'aluminum' } }],
    ['스테인리스 압력솥 4L', 'Stainless Pressure Cooker 4L', '잡곡밥과 갈비찜을 짧은 시간에 부드럽게 익혀 줍니다.', 'Cooks multigrain rice and braised ribs tender in a fraction of the time.', { p: [89000, 149000], a: { capacity: '4L', material: 'stainless steel' } }],
  ] },
  { leaf: 'kitchen-tools', attrs: { color: ['black', 'gray', 'mint', 'natural'] }, items: [
    ['실리콘 뒤집개', 'Silicone Turner', '코팅 팬을 긁지 않는 내열 실리콘 뒤집개입니다.', 'A heat-resistant silicone turner that will not scratch coated pans.', { p: [6900, 12900], a: { material: 'silicone' } }],
    ['스테인리스 요리 집게', 'Stainless Kitchen Tongs', '고기를 굽거나 면을 건질 때 쓰기 좋은 튼튼한 집게입니다.', 'Sturdy tongs for grilling meat and lifting noodles.', { p: [7900, 12900], a: { material: 'stainless steel' } }],
    ['원목 도마', 'Wooden Cutting Board', '칼자국이 덜 남는 단단한 원목 도마입니다.', 'A hardwood cutting board that resists deep knife marks.', { p: [25000, 45000], a: { material: 'walnut' } }],
    ['분리형 주방 가위', 'Detachable Kitchen Scissors', '날을 분리해 씻을 수 있어 위생적으로 쓸 수 있습니다.', 'The blades come apart for thorough, hygienic cleaning.', { p: [12000, 19000] }],
    ['다용도 채칼', 'Mandoline Slicer', '두께를 세 단계로 조절해 채소를 고르게 썰 수 있습니다.', 'Three thickness settings for evenly sliced vegetables.', { p: [15000, 29000] }],
    ['디지털 주방 저울', 'Digital Kitchen Scale', '1g 단위로 재료를 정확하게 계량할 수 있습니다.', 'Weighs ingredients precisely to the gram.', { p: [15000, 25000], a: { max: '5kg' } }],
    ['셰프 나이프 20cm', 'Chef Knife 20cm', '고탄소 스테인리스 칼날이라 오랫동안 날카롭게 유지됩니다.', 'A high-carbon stainless blade that stays sharp for a long time.', { p: [49000, 89000], a: { size: '20cm' } }],
  ] },
  { leaf: 'drinkware', attrs: { color: ['white', 'black', 'sage', 'coral', 'sky blue'] }, items: [
    ['스테인리스 보온 텀블러 500ml', 'Insulated Stainless Tumbler 500ml', '진공 이중 구조로 따뜻한 커피는 따뜻하게, 찬 음료는 차갑게 지켜 줍니다.', 'Double-wall vacuum insulation keeps hot coffee hot and cold drinks cold.', { p: [25000, 35000], a: { capacity: '500ml' } }],
    ['빨대 텀블러 900ml', 'Straw Tumbler 900ml', '넉넉한 용량에 빨대와 손잡이가 있어 얼음 음료를 오래 즐길 수 있습니다.', 'A big tumbler with a straw and handle for iced drinks that last.', { p: [29000, 39000], a: { capacity: '900ml' } }],
    ['보온보냉 물병 750ml', 'Insulated Water Bottle 750ml', '가방에 넣어도 새지 않는 밀폐 뚜껑이 달린 물병입니다.', 'A leak-proof lid makes it safe to toss in your bag.', { p: [22000, 32000], a: { capacity: '750ml' } }],
    ['이중벽 유리컵 350ml', 'Double Wall Glass 350ml', '이중벽 구조라 뜨거운 차를 담아도 손이 뜨겁지 않습니다.', 'The double wall keeps your hands cool even with hot tea inside.', { p: [12000, 19000], a: { capacity: '350ml' } }],
    ['콜드브루 보틀 1L', 'Cold Brew Bottle 1L', '필터에 원두를 넣고 하룻밤 두면 집에서 콜드브루를 만들 수 있습니다.', 'Add ground coffee to the filter, wait overnight and enjoy cold brew at home.', { p: [19000, 29000], a: { capacity: '1L' } }],
    ['스톤웨어 머그 350ml', 'Stoneware Mug 350ml', '두툼한 스톤웨어로 만들어 음료가 천천히 식습니다.', 'Thick stoneware keeps your drink warm for longer.', { p: [12000, 19000], a: { capacity: '350ml' } }],
    ['휴대용 커피 텀블러 350ml', 'Travel Coffee Tumbler 350ml', '한 손으로 여닫는 뚜껑이 있어 운전하거나 걸으면서 마시기 편합니다.', 'A one-handed lid makes it easy to sip while walking or driving.', { p: [19000, 29000], a: { capacity: '350ml' } }],
  ] },
  { leaf: 'fitness', attrs: { color: ['black', 'purple', 'mint', 'gray'] }, items: [
    ['요가 매트 8mm', 'Yoga Mat 8mm', '두툼한 8mm 쿠션이 무릎과 손목을 편안하게 받쳐 줍니다.', 'An 8mm cushion that is kind to knees and wrists.', { p: [25000, 45000], a: { thickness: '8mm' } }],
    ['폼롤러 45cm', 'Foam Roller 45cm', '운동 전후로 뭉친 근육을 시원하게 풀어 줍니다.', 'Works out tight muscles before and after training.', { p: [15000, 25000], a: { length: '45cm' } }],
    ['무게 조절 덤벨 세트', 'Adjustable Dumbbell Set', '다이얼을 돌려 2kg부터 20kg까지 무게를 바꿀 수 있습니다.', 'Turn the dial to change the weight from 2kg to 20kg.', { p: [159000, 259000], a: { weight: '2-20kg' } }],
    ['저항 밴드 5종 세트', 'Resistance Band Set of 5', '강도가 다른 밴드 다섯 개로 집에서 근력 운동을 할 수 있습니다.', 'Five bands of different strengths for strength training at home.', { p: [12000, 22000], a: { count: '5' } }],
    ['카운터 줄넘기', 'Jump Rope with Counter', '손잡이에 달린 카운터가 넘은 횟수와 칼로리를 알려 줍니다.', 'A counter in the handle tracks your jumps and calories.', { p: [9900, 19900] }],
    ['푸시업 바', 'Push-Up Bars', '손목 부담을 줄이고 더 깊게 내려갈 수 있게 도와줍니다.', 'Take pressure off your wrists and go deeper on every rep.', { p: [12000, 19000] }],
    ['스포츠 레깅스', 'Sports Leggings', '탄탄한 밴드가 허리를 잡아 주어 운동 중에도 흘러내리지 않습니다.', 'A firm waistband that stays put through every workout.', { p: [29000, 49000], a: { size: 'M' } }],
  ] },
  { leaf: 'camping', attrs: { color: ['khaki', 'sand', 'olive', 'black'] }, items: [
    ['2인용 돔 텐트', '2-Person Dome Tent', '혼자서도 10분 만에 칠 수 있는 가벼운 돔 텐트입니다.', 'A light dome tent you can pitch alone in ten minutes.', { p: [129000, 229000], a: { capacity: '2 people' } }],
    ['접이식 캠핑 의자', 'Folding Camp Chair', '접으면 작은 가방에 들어가는 튼튼한 경량 의자입니다.', 'A sturdy lightweight chair that folds into a small carry bag.', { p: [39000, 69000] }],
    ['알루미늄 롤 테이블', 'Aluminum Roll Table', '상판을 돌돌 말아 보관하는 접이식 캠핑 테이블입니다.', 'A folding camp table with a top that rolls up for storage.', { p: [49000, 89000], a: { material: 'aluminum' } }],
    ['충전식 LED 랜턴', 'Rechargeable LED Lantern', '세 가지 밝기와 보조배터리 기능을 갖춘 캠핑 랜턴입니다.', 'A camp lantern with three brightness levels that doubles as a power bank.', { p: [29000, 49000], a: { battery: '5200mAh' } }],
    ['동계용 머미 침낭', 'Winter Mummy Sleeping Bag', '영하의 날씨에도 따뜻하게 잘 수 있는 머미형 침낭입니다.', 'A mummy bag that keeps you warm below freezing.', { p: [89000, 159000], a: { rating: '-10C' } }],
    ['하드 쿨러 25L', '25L Hard Cooler', '두꺼운 단열재로 얼음을 이틀 가까이 유지해 줍니다.', 'Thick insulation keeps ice for nearly two days.', { p: [59000, 99000], a: { capacity: '25L' } }],
    ['휴대용 가스버너', 'Portable Gas Stove', '바람막이가 달려 있어 야외에서도 불꽃이 안정적입니다.', 'A built-in wind shield keeps the flame steady outdoors.', { p: [29000, 49000] }],
  ] },
  { leaf: 'cycling', attrs: { color: ['black', 'white', 'neon yellow', 'red'] }, items: [
    ['자전거 헬멧', 'Cycling Helmet', '통풍구가 많은 가벼운 헬멧이라 오래 타도 머리가 덥지 않습니다.', 'A light helmet with plenty of vents to keep your head cool on long rides.', { p: [49000, 89000], a: { size: 'M' } }],
    ['USB 충전 자전거 전조등', 'USB Rechargeable Bike Light', '800루멘 밝기로 어두운 길도 멀리까지 비춰 줍니다.', 'An 800-lumen beam that lights up dark roads far ahead.', { p: [25000, 45000], a: { brightness: '800lm' } }],
    ['비밀번호 자전거 자물쇠', 'Combination Bike Lock', '열쇠 없이 네 자리 비밀번호로 여닫는 튼튼한 자물쇠입니다.', 'A heavy-duty lock that opens with a four-digit code, no key needed.', { p: [15000, 29000] }],
    ['자전거 안장 가방', 'Bike Saddle Bag', '안장 아래에 달아 펑크 수리 도구와 소지품을 넣을 수 있습니다.', 'Hangs under the saddle to carry a repair kit and small essentials.', { p: [15000, 25000] }],
    ['패드 자전거 바지', 'Padded Cycling Shorts', '엉덩이 패드가 장거리 라이딩의 피로를 줄여 줍니다.', 'A padded seat that takes the sting out of long rides.', { p: [35000, 59000], a: { size: 'L' } }],
    ['경량 물통 케이지', 'Lightweight Bottle Cage', '가볍고 단단하게 물병을 잡아 주는 알루미늄 케이지입니다.', 'A light aluminum cage that holds your bottle firmly.', { p: [9900, 19900], a: { material: 'aluminum' } }],
  ] },
  { leaf: 'literature', p: [12000, 17800], attrs: BOOK_ATTRS, items: [
    ['장편소설 여름의 끝에서', 'At the End of Summer: A Novel', '바닷가 마을에서 보낸 마지막 여름을 그린 성장 소설입니다.', 'A coming-of-age novel about one last summer in a seaside town.'],
    ['골목의 불빛 단편소설집', 'Lights in the Alley: Stories', '서울의 오래된 골목에 사는 사람들의 이야기를 담은 단편집입니다.', 'Stories of the people who live in the old alleys of Seoul.'],
    ['추리소설 세 번째 열쇠', 'The Third Key: A Mystery', '사라진 열쇠 하나를 둘러싸고 벌어지는 밀실 추리 소설입니다.', 'A locked-room mystery that turns on a single missing key.'],
    ['SF 소설 달의 정원', 'The Garden on the Moon: A Science Fiction Novel', '달 기지에서 정원을 가꾸는 식물학자의 이야기를 그린 SF 소설입니다.', 'A science fiction novel about a botanist tending a garden on a lunar base.'],
    ['에세이 천천히 걷는 날', 'Slow Walking Days: Essays', '바쁜 일상 속에서 천천히 걷는 즐거움을 이야기하는 산문집입니다.', 'Essays on the quiet pleasure of walking slowly through a busy life.'],
    ['시집 겨울 창가에서', 'By the Winter Window: Poems', '계절의 작은 변화를 섬세하게 담아낸 시 예순 편을 모았습니다.', 'Sixty poems that catch the small changes of the seasons.'],
  ] },
  { leaf: 'business-economics', p: [15000, 22000], attrs: BOOK_ATTRS, items: [
    ['처음 배우는 재무제표', 'Financial Statements for Beginners', '숫자가 낯선 사람도 재무제표를 읽을 수 있도록 쉬운 예시로 설명합니다.', 'Explains financial statements with simple examples, even if numbers scare you.'],
    ['작은 가게의 마케팅', 'Marketing for Small Shops', '동네 가게가 적은 예산으로 단골을 만드는 방법을 소개합니다.', 'How neighborhood shops win regulars on a small budget.'],
    ['돈의 흐름을 읽는 법', 'Reading the Flow of Money', '금리와 환율이 우리 생활에 미치는 영향을 알기 쉽게 풀어냅니다.', 'A plain-language look at how interest and exchange rates shape everyday life.'],
    ['일 잘하는 팀의 회의법', 'How Great Teams Run Meetings', '짧고 생산적인 회의를 위한 실천 방법을 사례와 함께 정리했습니다.', 'Practical, example-driven ways to keep meetings short and productive.'],
    ['데이터로 일하는 법', 'Working with Data', '스프레드시트만으로 시작하는 데이터 분석 입문서입니다.', 'An introduction to data analysis that starts with nothing more than a spreadsheet.'],
  ] },
  { leaf: 'hobby-books', p: [14000, 24000], attrs: BOOK_ATTRS, items: [
    ['집밥 레시피 100', '100 Home Cooking Recipes', '냉장고 속 재료로 뚝딱 만드는 집밥 레시피 백 가지를 담았습니다.', 'One hundred home-style recipes made from what is already in your fridge.'],
    ['초보 식물 집사 안내서', "The Beginner's Guide to Houseplants", '물 주기부터 분갈이까지 반려 식물을 건강하게 키우는 법을 알려 줍니다.', 'From watering to repotting, how to keep your houseplants healthy.'],
    ['수채화 첫걸음', 'First Steps in Watercolor', '붓 잡는 법부터 풍경화까지 차근차근 따라 그릴 수 있습니다.', 'Step-by-step lessons from holding a brush to painting landscapes.'],
    ['주말 캠핑 안내서', 'The Weekend Camping Handbook', '장비 고르기부터 캠핑 요리까지 초보 캠퍼에게 필요한 내용을 모았습니다.', 'Everything a new camper needs, from choosing gear to campfire cooking.'],
    ['처음 하는 뜨개질', 'Knitting for Absolute Beginners', '목도리와 모자를 직접 떠 볼 수 있는 기초 뜨개질 책입니다.', 'A beginner knitting book that walks you through a scarf and a hat.'],
  ] },
  { leaf: 'coffee-tea', attrs: { storage: ['room temperature'] }, items: [
    ['콜롬비아 원두 커피 500g', 'Colombia Whole Bean Coffee 500g', '캐러멜 같은 단맛과 부드러운 산미가 어우러진 미디엄 로스팅 원두입니다.', 'A medium roast with caramel sweetness and gentle acidity.', { p: [18000, 28000], a: { weight: '500g', origin: 'Colombia' } }],
    ['드립백 커피 20개입', 'Drip Bag Coffee 20 Pack', '컵에 걸고 물만 부으면 핸드드립 커피를 즐길 수 있습니다.', 'Hang it on a cup, pour hot water, and enjoy pour-over coffee.', { p: [15000, 25000], a: { count: '20' } }],
    ['제주 유기농 녹차 티백', 'Jeju Organic Green Tea Bags', '제주에서 자란 찻잎으로 만든 깔끔한 녹차 티백 40개입니다.', 'Forty bags of clean, bright green tea grown on Jeju Island.', { p: [9900, 16900], a: { count: '40', origin: 'Korea' } }],
    ['볶은 보리차 티백', 'Roasted Barley Tea Bags', '물에 넣기만 하면 구수한 보리차를 간편하게 우려낼 수 있습니다.', 'Nutty roasted barley tea that brews the moment it hits the water.', { p: [5900, 9900], a: { count: '50' } }],
    ['캐모마일 허브티', 'Chamomile Herbal Tea', '카페인이 없어 잠들기 전에 마시기 좋은 허브티입니다.', 'A caffeine-free herbal tea that is perfect before bed.', { p: [7900, 12900], a: { count: '20' } }],
    ['콜드브루 원액 1L', 'Cold Brew Concentrate 1L', '물이나 우유에 섞기만 하면 카페 같은 아이스 커피가 완성됩니다.', 'Mix with water or milk for cafe-style iced coffee.', { p: [15000, 25000], a: { volume: '1L', storage: 'refrigerated' } }],
    ['고흥 유자차 1kg', 'Yuja Citron Tea 1kg', '껍질째 얇게 썬 유자를 꿀에 재워 향이 진한 유자차입니다.', 'Thinly sliced whole citron steeped in honey for a fragrant tea.', { p: [12000, 19000], a: { weight: '1kg', origin: 'Korea' } }],
  ] },
  { leaf: 'snacks', attrs: { storage: ['room temperature'] }, items: [
    ['구운 아몬드 400g', 'Roasted Almonds 400g', '기름 없이 오븐에 구워 고소함이 살아 있는 아몬드입니다.', 'Oven-roasted without oil for a naturally nutty crunch.', { p: [9900, 15900], a: { weight: '400g' } }],
    ['하루 견과 30봉', 'Daily Mixed Nuts 30 Packs', '여섯 가지 견과와 건과일을 하루 한 봉씩 먹기 좋게 나눴습니다.', 'Six kinds of nuts and dried fruit portioned into one pack a day.', { p: [19000, 29000], a: { count: '30' } }],
    ['수제 버터 쿠키 선물 세트', 'Handmade Butter Cookie Gift Box', '버터를 듬뿍 넣어 매일 아침 구운 쿠키를 선물 상자에 담았습니다.', 'Butter-rich cookies baked every morning and packed in a gift box.', { p: [19000, 32000] }],
    ['현미 쌀과자', 'Brown Rice Crackers', '현미로 만든 바삭한 쌀과자라 아이 간식으로도 좋습니다.', 'Crispy brown rice crackers that make a good snack for kids too.', { p: [3900, 6900], a: { weight: '150g' } }],
    ['다크 초콜릿 70%', '70% Dark Chocolate', '쌉싸름한 카카오 맛이 진하게 느껴지는 다크 초콜릿입니다.', 'Dark chocolate with a deep, bittersweet cocoa flavor.', { p: [3900, 7900], a: { weight: '100g' } }],
    ['꿀 그래놀라 500g', 'Honey Granola 500g', '귀리와 견과류를 꿀에 버무려 구운 그래놀라입니다.', 'Oats and nuts tossed in honey and baked into crunchy clusters.', { p: [9900, 14900], a: { weight: '500g' } }],
    ['고구마 말랭이', 'Dried Sweet Potato Snack', '설탕 없이 고구마만 쪄서 말린 쫀득한 간식입니다.', 'Chewy sweet potato, steamed and dried with no added sugar.', { p: [7900, 12900], a: { weight: '300g' } }],
  ] },
  { leaf: 'pantry', attrs: { storage: ['room temperature'] }, items: [
    ['엑스트라 버진 올리브유 500ml', 'Extra Virgin Olive Oil 500ml', '처음 짜낸 올리브유라 샐러드 드레싱에 특히 잘 어울립니다.', 'First cold-pressed olive oil, lovely in salad dressings.', { p: [14000, 24000], a: { volume: '500ml', origin: 'Spain' } }],
    ['전통 고추장 1kg', 'Traditional Gochujang 1kg', '국산 고춧가루와 찹쌀로 빚어 깊은 감칠맛이 나는 고추장입니다.', 'Made with Korean chili powder and sweet rice for deep savory heat.', { p: [12000, 19000], a: { weight: '1kg', storage: 'refrigerated after opening' } }],
    ['한식 국간장 900ml', 'Korean Soup Soy Sauce 900ml', '국과 나물 무침에 쓰기 좋은 맑은 국간장입니다.', 'A light soy sauce made for soups and seasoned greens.', { p: [7900, 12900], a: { volume: '900ml' } }],
    ['저온 압착 참기름 300ml', 'Cold-Pressed Sesame Oil 300ml', '참깨를 낮은 온도에서 짜내 향이 진하고 깔끔합니다.', 'Sesame seeds pressed at low heat for a rich, clean aroma.', { p: [12000, 22000], a: { volume: '300ml' } }],
    ['찰현미 4kg', 'Sweet Brown Rice 4kg', '쫀득한 식감의 찰현미로 백미와 섞어 지으면 좋습니다.', 'Chewy sweet brown rice that is great cooked with white rice.', { p: [19000, 29000], a: { weight: '4kg', origin: 'Korea' } }],
    ['통밀 파스타 500g', 'Whole Wheat Pasta 500g', '통밀로 만들어 고소하고 식이섬유가 풍부한 스파게티 면입니다.', 'Nutty whole wheat spaghetti packed with fiber.', { p: [3900, 6900], a: { weight: '500g' } }],
    ['야생화 꿀 1kg', 'Wildflower Honey 1kg', '깊은 산골에서 채밀한 향이 진한 야생화 꿀입니다.', 'Richly fragrant wildflower honey gathered in the Korean mountains.', { p: [29000, 49000], a: { weight: '1kg', origin: 'Korea' } }],
  ] },
  { leaf: 'toys', attrs: { age: ['3+', '5+', '8+'] }, d: ['어린이제품 안전 인증을 받았습니다.', 'Safety certified as a children\'s product.'], items: [
    ['원목 쌓기 블록 50피스', 'Wooden Building Blocks 50 Pieces', '무독성 수성 페인트로 칠한 원목 블록으로 마음껏 쌓고 놀 수 있습니다.', 'Solid wood blocks finished with non-toxic water-based paint.', { p: [29000, 45000], a: { age: '3+', count: '50' } }],
    ['1000피스 직소 퍼즐', '1000-Piece Jigsaw Puzzle', '유럽의 구불구불한 골목 풍경을 담은 천 조각 퍼즐입니다.', 'A thousand-piece puzzle of a winding European street.', { p: [15000, 25000], a: { age: '12+', count: '1000' }, noShared: true }],
    ['곰 인형 40cm', 'Teddy Bear 40cm', '보들보들한 털과 포근한 솜으로 안고 자기 좋은 곰 인형입니다.', 'A soft, huggable teddy bear made for bedtime.', { p: [19000, 35000], a: { size: '40cm' } }],
    ['가족 보드게임', 'Family Board Game', '온 가족이 30분 만에 배워 함께 즐길 수 있는 전략 보드게임입니다.', 'A strategy game the whole family can learn in thirty minutes.', { p: [25000, 45000], a: { players: '2-6', age: '8+' } }],
    ['오프로드 RC 자동차', 'Off-Road RC Car', '큰 바퀴와 서스펜션 덕분에 잔디와 흙길도 거침없이 달립니다.', 'Big wheels and suspension let it charge across grass and dirt.', { p: [39000, 69000], a: { age: '8+' } }],
    ['자석 블록 60피스', 'Magnetic Tiles 60 Pieces', '자석으로 붙는 블록으로 입체 도형과 집을 만들 수 있습니다.', 'Magnetic tiles that click together into shapes, towers and houses.', { p: [39000, 59000], a: { age: '3+', count: '60' } }],
    ['소꿉놀이 주방 세트', 'Play Kitchen Set', '냄비와 조리 도구가 함께 들어 있는 아이용 주방 놀이 세트입니다.', 'A pretend-play kitchen with little pots and utensils included.', { p: [49000, 89000], a: { age: '3+' } }],
  ] },
  { leaf: 'baby-care', attrs: { age: ['0+', '6m+', '12m+'] }, items: [
    ['실리콘 유아 식판', 'Silicone Toddler Plate', '바닥 흡착판이 있어 아이가 식판을 쉽게 밀어내지 못합니다.', 'A suction base keeps little hands from pushing it off the table.', { p: [15000, 25000], a: { material: 'silicone' } }],
    ['순한 아기 물티슈 10팩', 'Gentle Baby Wipes 10 Packs', '정제수 99%로 만든 도톰한 물티슈입니다.', 'Thick wipes made with 99% purified water.', { p: [12000, 19000], a: { count: '10' } }],
    ['경량 휴대용 유모차', 'Lightweight Travel Stroller', '한 손으로 접을 수 있고 기내에 들고 탈 수 있는 크기입니다.', 'Folds with one hand and is small enough to take on a plane.', { p: [189000, 349000], a: { weight: '6.5kg' } }],
    ['베이비 보습 로션', 'Baby Moisturizing Lotion', '연약한 아기 피부를 위해 향료 없이 만든 보습 로션입니다.', 'A fragrance-free lotion made for delicate baby skin.', { p: [12000, 19000], a: { volume: '300ml' } }],
    ['UV 젖병 소독기', 'UV Bottle Sterilizer', 'UV 램프로 젖병과 장난감을 살균하고 건조까지 해 줍니다.', 'Sterilizes and dries bottles and toys under UV light.', { p: [129000, 189000] }],
    ['힙시트 아기띠', 'Hip Seat Baby Carrier', '허리 받침이 무게를 나눠 주어 오래 안아도 어깨가 덜 아픕니다.', 'A hip seat spreads the weight so your shoulders ache less.', { p: [69000, 129000] }],
    ['유아 스푼 포크 세트', 'Toddler Spoon and Fork Set', '아이 손에 맞는 짧은 손잡이로 혼자 먹는 연습을 도와줍니다.', 'Short handles sized for little hands help toddlers learn to feed themselves.', { p: [9900, 15900] }],
  ] },
  { leaf: 'dog-supplies', attrs: { pet: ['all sizes', 'small dogs', 'medium dogs'] }, items: [
    ['연어 강아지 사료 2kg', 'Salmon Dog Food 2kg', '연어를 주원료로 한 그레인 프리 사료로 모든 연령에 먹일 수 있습니다.', 'Grain-free dog food with salmon as the first ingredient, for all ages.', { p: [25000, 39000], a: { weight: '2kg' } }],
    ['노즈워크 매트', 'Snuffle Mat', '간식을 숨겨 두면 냄새를 맡으며 스트레스를 풀 수 있습니다.', 'Hide treats in it and let your dog sniff away the stress.', { p: [15000, 25000] }],
    ['강아지 메시 하네스', 'Mesh Dog Harness', '가슴을 감싸는 부드러운 메시 소재라 목에 부담이 적습니다.', 'A soft mesh harness that takes pressure off the neck.', { p: [19000, 32000], a: { size: 'M' } }],
    ['자동 리드줄 5m', 'Retractable Leash 5m', '버튼 하나로 길이를 고정하는 자동 리드줄입니다.', 'A retractable leash that locks at any length with one button.', { p: [19000, 29000], a: { length: '5m' } }],
    ['강아지 도넛 방석', 'Calming Donut Dog Bed', '폭신한 도넛 모양 방석이 몸을 감싸 안정감을 줍니다.', 'A plush donut bed that hugs your dog and helps it settle.', { p: [29000, 49000] }],
    ['강아지 배변 패드 100매', 'Puppy Pee Pads 100 Count', '흡수력이 좋아 냄새와 새는 걱정을 덜어 줍니다.', 'Highly absorbent pads that lock in moisture and odor.', { p: [15000, 25000], a: { count: '100' } }],
    ['강아지 덴탈껌 30개입', 'Dog Dental Chews 30 Count', '씹는 동안 치석을 줄여 주는 기능성 덴탈껌입니다.', 'Chews that help reduce tartar while your dog gnaws.', { p: [12000, 19000], a: { count: '30' } }],
  ] },
  { leaf: 'cat-supplies', attrs: { pet: ['all cats', 'kittens', 'adult cats'] }, items: [
    ['두부 고양이 모래 7L', 'Tofu Cat Litter 7L', '먼지가 적고 변기에 버릴 수 있는 두부 모래입니다.', 'Low-dust tofu litter that can be flushed.', { p: [9900, 15900], a: { volume: '7L' } }],
    ['골판지 고양이 스크래처', 'Cardboard Cat Scratcher', '튼튼한 골판지로 만들어 발톱 관리와 휴식을 함께 할 수 있습니다.', 'Sturdy cardboard for claw care and a comfy lounging spot.', { p: [9900, 19900] }],
    ['4단 캣타워', '4-Level Cat Tree', '숨숨집과 해먹이 있어 여러 마리가 함께 놀기 좋습니다.', 'A hideaway and a hammock give several cats room to play.', { p: [69000, 129000] }],
    ['짜 먹는 고양이 간식 20개입', 'Lickable Cat Treats 20 Pack', '참치로 만든 부드러운 간식이라 약을 먹일 때도 유용합니다.', 'Soft tuna treats that also help when it is time for medicine.', { p: [9900, 15900], a: { count: '20' } }],
    ['반려동물 자동 급수기', 'Pet Water Fountain', '흐르는 물이 고양이가 물을 더 자주 마시도록 도와줍니다.', 'Flowing water encourages cats to drink more often.', { p: [29000, 49000], a: { capacity: '2L' } }],
    ['깃털 낚싯대 장난감', 'Feather Wand Toy', '살랑거리는 깃털이 고양이의 사냥 본능을 깨워 줍니다.', 'A fluttering feather that wakes up your cat\'s hunting instinct.', { p: [5900, 9900] }],
    ['고양이 습식 캔 24개입', 'Wet Cat Food 24 Cans', '닭고기와 참치를 듬뿍 넣은 촉촉한 습식 사료입니다.', 'Moist wet food made with plenty of chicken and tuna.', { p: [29000, 45000], a: { count: '24' } }],
  ] },
];

/*
 * Products the tests name: written exactly as here (only the images are added). Their brand
 * words (Sori, Haneul, 소리, 하늘) appear in no other product, and the words of their names
 * only sparingly, so that a search for their names ranks them first.
 */
const PINNED = [
  {
    slug: 'sori-wireless-earbuds', name: '소리 무선 이어폰', nameEn: 'Sori Wireless Earbuds',
    description: '귀에 편안하게 맞는 커널형 무선 이어폰으로, 케이스와 함께 쓰면 최대 24시간 동안 음악을 들을 수 있습니다. 노이즈 캔슬링과 생활 방수를 지원해 출퇴근길과 운동할 때 모두 좋습니다.',
    descriptionEn: 'Comfortable in-ear wireless earbuds with up to 24 hours of playback with the charging case. Active noise cancelling and splash resistance make them great for the commute and the gym.',
    brand: 'Sori', category: 'audio', price: 129000, salePrice: 99000, status: 'active', stock: 40,
    attributes: { color: 'white', battery: '24h' }, popularity: 310, ageDays: 12,
  },
  {
    slug: 'haneul-running-shoes', name: '하늘 러닝화', nameEn: 'Haneul Running Shoes',
    description: '가벼운 니트 어퍼와 탄력 있는 쿠션 미드솔로 매일 달리기에 알맞은 러닝화입니다. 통기성이 좋아 한여름에도 발이 쾌적합니다.',
    descriptionEn: 'Everyday running shoes with a light knit upper and a springy cushioned midsole. Breathable enough to keep your feet cool in midsummer.',
    brand: 'Haneul', category: 'shoes', price: 89000, salePrice: null, status: 'active', stock: 25,
    attributes: { color: 'navy', size: '260mm' }, popularity: 540, ageDays: 30,
  },
  {
    slug: 'last-ten-mug', name: '한정판 세라믹 머그', nameEn: 'Limited Ceramic Mug',
    description: '딱 열 개만 구워 낸 한정판 세라믹 머그입니다. 하나하나 손으로 유약을 입혀 무늬가 조금씩 다릅니다.',
    descriptionEn: 'A limited run of ceramic mugs, only ten made. Each one is glazed by hand, so no two patterns are quite alike.',
    brand: 'Gama', category: 'kitchen-tableware', price: 15000, salePrice: null, status: 'active', stock: 10,
    attributes: { capacity: '350ml', material: 'ceramic' }, popularity: 120, ageDays: 3,
  },
];

/* Exactly three drafts: unpublished products, which the shop must not show. */
const DRAFT_TEXT = [
  '아직 준비 중인 상품으로, 상세 정보를 작성하고 있습니다.',
  'This product is still being prepared and its details are on the way.',
];
const DRAFTS = [
  { slug: 'draft-smart-tracker-tag', name: '[임시] 스마트 분실 방지 태그', nameEn: '[Draft] Smart Tracker Tag', brand: 'Nuritek', category: 'phone-gear', price: 29000, stock: 50, attributes: { color: 'white' } },
  { slug: 'draft-linen-apron', name: '[임시] 린넨 앞치마', nameEn: '[Draft] Linen Apron', brand: 'Bapsim', category: 'kitchen-tools', price: 25000, stock: 30, attributes: { material: 'linen' } },
  { slug: 'draft-spring-cardigan', name: '[임시] 봄 가디건', nameEn: '[Draft] Spring Cardigan', brand: 'Gyeol', category: 'tops', price: 49000, stock: 20, attributes: { size: 'M' } },
];

const SALE_SHARE = 0.30;
const OUT_OF_STOCK_SHARE = 0.05;
const LOW_STOCK_SHARE = 0.10;
const DISCOUNTS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.4];

function slugify(s) {
  let slug = s.toLowerCase().replace(/['\u2019]/g, '').replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length > 80) {
    slug = slug.slice(0, 81).replace(/-[^-]*$/, '');
  }
  return slug;
}

/* A shop price near 'x': a multiple of 100 under 10,000 won, else of 1,000 or ending in 900. */
function shopPrice(x, rnd) {
  const ninety = rnd() < 0.5;
  let v;
  if (x < 10000) {
    v = ninety ? Math.round(x / 1000) * 1000 - 100 : Math.round(x / 100) * 100;
  } else {
    v = Math.round(x / 1000) * 1000 - (ninety ? 100 : 0);
  }
  return Math.min(3000000, Math.max(1000, v));
}

function salePriceOf(price, rnd) {
  const raw = price * (1 - pick(rnd, DISCOUNTS));
  let sale = price < 10000 ? Math.floor(raw / 100) * 100 : Math.floor(raw / 1000) * 1000;
  if (price >= 10000 && price % 1000 === 900) {
    sale -= 100;
  }
  return Math.max(100, Math.min(sale, price - 100));
}

function imagesOf(slug) {
  return [1, 2].map((n) => `${PRODUCT_IMG_URL}${slug}-${n}.svg`);
}

/* Field order is the documented format's. */
function product(p) {
  return {
    slug: p.slug, name: p.name, nameEn: p.nameEn, description: p.description,
    descriptionEn: p.descriptionEn, brand: p.brand, category: p.category, price: p.price,
    salePrice: p.salePrice ?? null, currency: 'KRW', status: p.status ?? 'active', stock: p.stock,
    images: imagesOf(p.slug), attributes: p.attributes, popularity: p.popularity,
    ageDays: p.ageDays,
  };
}

function generated(group, item, top) {
  const [ko, en, dko, den, extra = {}] = item;
  const rnd = prng(`${group.leaf}/${en}`);
  const brand = pick(rnd, TOP[top].brands);
  const [lo, hi] = extra.p ?? group.p;
  const price = shopPrice(lo + (hi - lo) * rnd(), rnd);
  const attributes = { ...(extra.a ?? {}) };
  for (const [key, values] of Object.entries(group.attrs ?? {})) {
    const value = pick(rnd, values);
    if (!(key in attributes) && Object.keys(attributes).length < 4) {
      attributes[key] = value;
    }
  }
  const ko3 = [dko], en3 = [den];
  if (group.d && !extra.noShared) {
    ko3.push(group.d[0]);
    en3.push(group.d[1]);
  }
  const closing = pick(rnd, TOP[top].closing);
  if (rnd() < 0.5) {
    ko3.push(closing[0]);
    en3.push(closing[1]);
  }
  return {
    slug: slugify(`${brand} ${en}`), name: ko, nameEn: en, description: ko3.join(' '),
    descriptionEn: en3.join(' '), brand, category: group.leaf, price,
    stock: intIn(rnd, 10, 200), attributes, popularity: Math.floor(1001 * rnd() ** 1.7),
    ageDays: intIn(rnd, 0, 365), saleRnd: rnd(),
  };
}

/* The whole catalogue document. */
function buildCatalog() {
  const categories = buildTree(TREE);
  const index = indexTree(categories);
  const made = [];
  for (const group of GROUPS) {
    const at = index.get(group.leaf);
    if (!at) {
      throw new Error(`group for unknown category '${group.leaf}'`);
    }
    for (const item of group.items) {
      made.push(generated(group, item, at.top));
    }
  }
  const seen = new Set([...PINNED, ...DRAFTS].map((p) => p.slug));
  for (const p of made) {
    const base = p.slug;
    for (let n = 2; seen.has(p.slug); n++) {
      p.slug = `${base.slice(0, 77)}-${n}`;
    }
    seen.add(p.slug);
  }

  /* Sales, sold-out and low stock: the products that rank first by a hash of their slug. */
  const total = PINNED.length + made.length + DRAFTS.length;
  const ranked = (salt) => [...made].sort((a, b) =>
    hash32(`${salt}:${a.slug}`) - hash32(`${salt}:${b.slug}`) || (a.slug < b.slug ? -1 : 1));
  const pinnedSales = PINNED.filter((p) => p.salePrice !== null).length;
  for (const p of ranked('sale').slice(0, Math.round(total * SALE_SHARE) - pinnedSales)) {
    p.salePrice = salePriceOf(p.price, prng(`sale/${p.slug}`));
  }
  const zero = ranked('zero').slice(0, Math.round(total * OUT_OF_STOCK_SHARE));
  for (const p of zero) {
    p.stock = 0;
  }
  const zeroSet = new Set(zero);
  const low = ranked('low').filter((p) => !zeroSet.has(p));
  for (const p of low.slice(0, Math.round(total * LOW_STOCK_SHARE))) {
    p.stock = intIn(prng(`low/${p.slug}`), 1, 5);
  }

  const drafts = DRAFTS.map((d) => ({
    ...d, description: DRAFT_TEXT[0], descriptionEn: DRAFT_TEXT[1], salePrice: null,
    status: 'draft', popularity: 0, ageDays: 0,
  }));
  return {
    version: 1,
    categories,
    products: [...PINNED, ...made, ...drafts].map(product),
  };
}

/* ---------------------------------------------------------------------------------- images */

/* One white glyph per top-level category, drawn on a 400x400 canvas around (200, 200). */
const W = 'fill="#fff"';
const SHADE = 'fill="#000" fill-opacity=".15"';
const GLYPHS = {
  'electronics': `<path d="M120 232v-42a80 80 0 0 1 160 0v42" fill="none" stroke="#fff" stroke-width="16" stroke-linecap="round"/><rect x="98" y="206" width="46" height="80" rx="18" ${W}/><rect x="256" y="206" width="46" height="80" rx="18" ${W}/>`,
  'fashion': `<path d="M160 104l-74 36 26 58 32-14v122h112V184l32 14 26-58-74-36c-8 20-22 30-40 30s-32-10-40-30z" ${W}/>`,
  'beauty': `<rect x="178" y="92" width="44" height="38" rx="8" ${W}/><rect x="188" y="128" width="24" height="24" ${W}/><rect x="144" y="150" width="112" height="154" rx="30" ${W}/><rect x="168" y="204" width="64" height="46" rx="8" ${SHADE}/>`,
  'home-living': `<path d="M200 96L88 190h30v112h164V190h30z" ${W}/><rect x="178" y="230" width="44" height="72" rx="4" ${SHADE}/>`,
  'kitchen': `<rect x="118" y="172" width="164" height="112" rx="26" ${W}/><rect x="100" y="150" width="200" height="22" rx="11" ${W}/><rect x="182" y="124" width="36" height="22" rx="8" ${W}/><path d="M118 204H86m196 0h32" stroke="#fff" stroke-width="14" stroke-linecap="round"/>`,
  'sports-outdoor': `<circle cx="272" cy="128" r="30" ${W}/><path d="M64 300l96-158 62 100 36-52 78 110z" ${W}/>`,
  'books': `<path d="M200 138c-30-22-72-28-112-24v164c40-4 82 2 112 24 30-22 72-28 112-24V114c-40-4-82 2-112 24z" ${W}/><path d="M200 140v160" stroke="#000" stroke-opacity=".15" stroke-width="6"/>`,
  'food': `<path d="M200 154c-22-18-86-22-96 40-8 52 30 112 62 112 14 0 22-8 34-8s20 8 34 8c32 0 70-60 62-112-10-62-74-58-96-40z" ${W}/><path d="M200 152c0-20 6-36 20-46" fill="none" stroke="#fff" stroke-width="10" stroke-linecap="round"/><path d="M214 120c14-22 42-26 54-18-8 22-32 30-54 18z" ${W}/>`,
  'toys-kids': `<rect x="108" y="212" width="86" height="86" rx="12" ${W}/><rect x="206" y="212" width="86" height="86" rx="12" ${W} fill-opacity=".8"/><rect x="157" y="114" width="86" height="86" rx="12" ${W} fill-opacity=".9"/>`,
  'pets': `<ellipse cx="200" cy="244" rx="60" ry="50" ${W}/><circle cx="128" cy="182" r="25" ${W}/><circle cx="168" cy="136" r="25" ${W}/><circle cx="232" cy="136" r="25" ${W}/><circle cx="272" cy="182" r="25" ${W}/>`,
};

/* HSL (degrees, percent, percent) to #rrggbb. */
function hex(h, s, l) {
  h = ((h % 360) + 360) % 360;
  s /= 100;
  l /= 100;
  const f = (n) => {
    const k = (n + h / 30) % 12;
    const c = l - s * Math.min(l, 1 - l) * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

function gradient(from, to, diagonal) {
  const [x1, y1, x2, y2] = diagonal ? [0, 0, 1, 1] : [1, 0, 0, 1];
  return `<defs><linearGradient id="g" x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}">` +
    `<stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/>` +
    '</linearGradient></defs>';
}

const xmlText = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/* Image n (1 or 2) of a product: a gradient from its slug, its category's glyph, its brand. */
function productSvg(p, top, n) {
  const rnd = prng(`img/${p.slug}`);
  const hue = Math.floor(rnd() * 360);
  const spread = 25 + Math.floor(rnd() * 30);
  const cx = 40 + Math.floor(rnd() * 320), cy = 30 + Math.floor(rnd() * 90);
  const r = 30 + Math.floor(rnd() * 50);
  let body;
  if (n === 1) {
    body = gradient(hex(hue, 62, 60), hex(hue + spread, 68, 40), true) +
      '<rect width="400" height="400" fill="url(#g)"/>' +
      `<circle cx="${cx}" cy="${cy}" r="${r}" fill="#fff" fill-opacity=".12"/>` +
      `<circle cx="${400 - cx}" cy="${330 - Math.round(cy / 3)}" r="${r + 30}" fill="#fff" fill-opacity=".08"/>` +
      `<g fill-opacity=".94">${GLYPHS[top]}</g>`;
  } else {
    const h2 = hue + 150;
    body = gradient(hex(h2, 55, 64), hex(h2 - spread, 62, 38), false) +
      '<rect width="400" height="400" fill="url(#g)"/>' +
      `<circle cx="${400 - cx}" cy="${cy + 40}" r="${r + 40}" fill="none" stroke="#fff" stroke-opacity=".18" stroke-width="14"/>` +
      `<g transform="rotate(${rnd() < 0.5 ? -12 : 12} 200 200) translate(20 14) scale(.9)">${GLYPHS[top]}</g>`;
  }
  return '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">' +
    body +
    '<text x="200" y="360" font-family="sans-serif" font-size="26" font-weight="700" ' +
    `fill="#fff" fill-opacity=".88" text-anchor="middle" letter-spacing="1">${xmlText(p.brand)}</text>` +
    '</svg>\n';
}

/* The 96x96 icon of a top-level category. */
function categorySvg(slug) {
  const hue = hash32(`icon/${slug}`) % 360;
  return '<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96" viewBox="0 0 96 96">' +
    gradient(hex(hue, 60, 62), hex(hue + 35, 66, 42), true) +
    '<rect width="96" height="96" rx="22" fill="url(#g)"/>' +
    `<g transform="translate(4 4) scale(.22)">${GLYPHS[slug]}</g></svg>\n`;
}

/* ------------------------------------------------------------------------------- writing */

let written = 0, unchanged = 0, removed = 0;

function writeIfChanged(file, text) {
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) {
    unchanged++;
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  written++;
}

/* Deletes the SVG files of 'dir' that are not in 'keep' (file names). */
function removeStale(dir, keep) {
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith('.svg') && !keep.has(name)) {
      fs.unlinkSync(path.join(dir, name));
      removed++;
    }
  }
}

function generate() {
  const doc = buildCatalog();
  const index = indexTree(doc.categories);
  writeIfChanged(JSON_PATH, `${JSON.stringify(doc, null, 2)}\n`);
  const keepP = new Set(), keepC = new Set();
  for (const p of doc.products) {
    const top = index.get(p.category).top;
    p.images.forEach((url, i) => {
      const name = path.basename(url);
      keepP.add(name);
      writeIfChanged(path.join(PRODUCT_IMG_DIR, name), productSvg(p, top, i + 1));
    });
  }
  for (const c of doc.categories) {
    keepC.add(`${c.slug}.svg`);
    writeIfChanged(path.join(CATEGORY_IMG_DIR, `${c.slug}.svg`), categorySvg(c.slug));
  }
  removeStale(PRODUCT_IMG_DIR, keepP);
  removeStale(CATEGORY_IMG_DIR, keepC);
  console.log(`catalog-demo: ${written} files written, ${unchanged} unchanged, ` +
    `${removed} stale removed`);
}

/* -------------------------------------------------------------------------------- checking */

const SLUG_RE = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const HANGUL_RE = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]/;
const CJK_RE = /[\u1100-\u11ff\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;
const CATEGORY_KEYS = ['slug', 'name', 'nameEn', 'position', 'children'];
const PRODUCT_KEYS = ['slug', 'name', 'nameEn', 'description', 'descriptionEn', 'brand',
  'category', 'price', 'salePrice', 'currency', 'status', 'stock', 'images', 'attributes',
  'popularity', 'ageDays'];
const RESERVED_BRAND_RE = /sori|haneul|소리|하늘/i;
const SVG_MAX = 1536;

const isInt = (v) => Number.isInteger(v);
const sameKeys = (o, keys) => o !== null && typeof o === 'object' && !Array.isArray(o) &&
  Object.keys(o).join() === keys.join();
const goodSlug = (s) => typeof s === 'string' && SLUG_RE.test(s) && /[a-z]/.test(s) &&
  s.length <= 80;
const goodText = (s, max) => typeof s === 'string' && s.trim() !== '' && [...s].length <= max;
const sentences = (s) => (s.match(/[.!?](?=\s|$)/g) ?? []).length;

/* A small well-formedness test: balanced tags, quoted attributes, nothing outside <svg>. */
function svgProblems(text, size) {
  const problems = [];
  if (Buffer.byteLength(text) > SVG_MAX) {
    problems.push(`${Buffer.byteLength(text)} bytes (> ${SVG_MAX})`);
  }
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}">`;
  if (!text.startsWith(head) || !text.endsWith('</svg>\n')) {
    problems.push('not a standalone <svg> with the expected size and viewBox');
  }
  if (/<script|\son[a-z]+\s*=|href|<image|<foreignObject|@import/i.test(text) ||
      /https?:/.test(text.replace('http://www.w3.org/2000/svg', ''))) {
    problems.push('has a script or an external reference');
  }
  if (CJK_RE.test(text)) {
    problems.push('has CJK text');
  }
  const stack = [];
  const rest = text.replace(/<(\/?)([A-Za-z][\w-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g,
    (m, close, name, attrs, self) => {
      if (close) {
        if (stack.pop() !== name) {
          problems.push(`unbalanced </${name}>`);
        }
      } else if (!self) {
        stack.push(name);
      }
      return '';
    });
  if (stack.length > 0 || /[<>]/.test(rest)) {
    problems.push('malformed markup');
  }
  return problems;
}

function check() {
  const errors = [];
  const fail = (m) => errors.push(m);
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(JSON_PATH, 'utf8'));
  } catch (e) {
    console.error(`catalog-demo check: cannot read ${JSON_PATH}: ${e.message}`);
    return false;
  }
  if (!sameKeys(doc, ['version', 'categories', 'products']) || doc.version !== 1 ||
      !Array.isArray(doc.categories) || !Array.isArray(doc.products)) {
    console.error('catalog-demo check: the document is not {version: 1, categories, products}');
    return false;
  }

  /* Categories. */
  const cats = new Map(); /* slug -> {depth, top, leaf} */
  const perLevel = [0, 0, 0, 0];
  const walk = (list, depth, top, where) => {
    if (!Array.isArray(list)) {
      fail(`${where}: children is not an array`);
      return;
    }
    list.forEach((c, i) => {
      const at = `category ${c?.slug ?? `${where}[${i}]`}`;
      if (!sameKeys(c, CATEGORY_KEYS)) {
        fail(`${at}: keys must be ${CATEGORY_KEYS.join(', ')}`);
        return;
      }
      if (!goodSlug(c.slug)) fail(`${at}: bad slug`);
      if (cats.has(c.slug)) fail(`${at}: duplicate slug`);
      if (depth > 3) fail(`${at}: deeper than 3 levels`);
      if (!goodText(c.name, 100) || !HANGUL_RE.test(c.name)) fail(`${at}: bad Korean name`);
      if (!goodText(c.nameEn, 100) || HANGUL_RE.test(c.nameEn)) fail(`${at}: bad English name`);
      if (c.position !== i + 1) fail(`${at}: position ${c.position}, expected ${i + 1}`);
      if (RESERVED_BRAND_RE.test(`${c.slug} ${c.name} ${c.nameEn}`)) {
        fail(`${at}: reserved brand word`);
      }
      if (depth === 1 && (c.children.length < 2 || c.children.length > 3)) {
        fail(`${at}: a top-level category needs 2 or 3 children, has ${c.children.length}`);
      }
      cats.set(c.slug, { depth, top: top ?? c.slug, leaf: c.children.length === 0 });
      perLevel[Math.min(depth, 3)]++;
      walk(c.children, depth + 1, top ?? c.slug, at);
    });
  };
  walk(doc.categories, 1, null, 'categories');
  if (perLevel[1] < 8) fail(`${perLevel[1]} top-level categories (< 8)`);
  if (perLevel[3] < 1) fail('no third-level category');

  /* Products. */
  const slugs = new Set();
  const perCategory = new Map();
  let drafts = 0, soldOut = 0, low = 0, sales = 0;
  const text = (p) => `${p.name} ${p.nameEn} ${p.description} ${p.descriptionEn}`;
  const pinned = new Set(PINNED.map((p) => p.slug));
  let earbudLike = 0, runningLike = 0;
  for (const p of doc.products) {
    const at = `product ${p?.slug}`;
    if (!sameKeys(p, PRODUCT_KEYS)) {
      fail(`${at}: keys must be ${PRODUCT_KEYS.join(', ')}`);
      continue;
    }
    if (!goodSlug(p.slug)) fail(`${at}: bad slug`);
    if (slugs.has(p.slug)) fail(`${at}: duplicate slug`);
    slugs.add(p.slug);
    if (!goodText(p.name, 200) || !HANGUL_RE.test(p.name)) fail(`${at}: bad Korean name`);
    if (!goodText(p.nameEn, 200) || HANGUL_RE.test(p.nameEn)) fail(`${at}: bad English name`);
    if (!goodText(p.description, 5000) || !HANGUL_RE.test(p.description) ||
        sentences(p.description) < 1 || sentences(p.description) > 3) {
      fail(`${at}: the Korean description needs 1-3 sentences`);
    }
    if (!goodText(p.descriptionEn, 5000) || HANGUL_RE.test(p.descriptionEn) ||
        sentences(p.descriptionEn) < 1 || sentences(p.descriptionEn) > 3) {
      fail(`${at}: the English description needs 1-3 sentences`);
    }
    if (!goodText(p.brand, 100) || HANGUL_RE.test(p.brand)) fail(`${at}: bad brand`);
    if (!cats.has(p.category)) {
      fail(`${at}: unknown category '${p.category}'`);
    } else {
      perCategory.set(p.category, (perCategory.get(p.category) ?? 0) + 1);
    }
    if (!isInt(p.price) || p.price < 1000 || p.price > 3000000 || p.price % 100 !== 0) {
      fail(`${at}: price ${p.price} is not a round KRW amount in 1,000..3,000,000`);
    }
    if (p.salePrice !== null) {
      sales++;
      if (!isInt(p.salePrice) || p.salePrice <= 0 || p.salePrice >= p.price ||
          p.salePrice % 100 !== 0) {
        fail(`${at}: salePrice ${p.salePrice} must be a round amount below the price`);
      }
    }
    if (p.currency !== 'KRW') fail(`${at}: currency must be KRW`);
    if (p.status === 'draft') {
      drafts++;
      if (!p.slug.startsWith('draft-')) fail(`${at}: a draft's slug must start with draft-`);
    } else if (p.status !== 'active' || p.slug.startsWith('draft-')) {
      fail(`${at}: status '${p.status}'`);
    }
    if (!isInt(p.stock) || p.stock < 0 || (p.stock > 5 && p.stock < 10) || p.stock > 200) {
      fail(`${at}: stock ${p.stock} (0, 1-5 or 10-200)`);
    }
    soldOut += p.stock === 0;
    low += p.stock >= 1 && p.stock <= 5;
    const want = imagesOf(p.slug);
    if (!Array.isArray(p.images) || p.images.join() !== want.join()) {
      fail(`${at}: images must be ${want.join(', ')}`);
    }
    const attrs = p.attributes;
    if (attrs === null || typeof attrs !== 'object' || Array.isArray(attrs) ||
        Object.keys(attrs).length < 1 || Object.keys(attrs).length > 4 ||
        !Object.entries(attrs).every(([k, v]) => /^[a-z][a-z0-9_]{0,49}$/.test(k) &&
          goodText(v, 200))) {
      fail(`${at}: attributes must be 1-4 lowercase keys with string values`);
    }
    if (!isInt(p.popularity) || p.popularity < 0 || p.popularity > 1000) fail(`${at}: popularity`);
    if (!isInt(p.ageDays) || p.ageDays < 0 || p.ageDays > 365) fail(`${at}: ageDays`);
    if (!pinned.has(p.slug)) {
      const all = `${text(p)} ${p.brand} ${p.slug} ${Object.values(attrs ?? {}).join(' ')}`;
      if (RESERVED_BRAND_RE.test(all)) fail(`${at}: uses a reserved brand word`);
      earbudLike += /무선/.test(text(p)) && /이어폰/.test(text(p));
      runningLike += /러닝화|running shoe/i.test(text(p));
    }
  }
  const total = doc.products.length;
  if (total < 220) fail(`${total} products (< 220)`);
  if (drafts !== 3) fail(`${drafts} drafts (want exactly 3)`);
  const share = (n) => n / total;
  if (share(soldOut) < 0.03 || share(soldOut) > 0.07) fail(`${soldOut} sold out (want about 5%)`);
  if (share(low) < 0.08 || share(low) > 0.12) fail(`${low} with stock 1-5 (want about 10%)`);
  if (share(sales) < 0.25 || share(sales) > 0.35) fail(`${sales} on sale (want about 30%)`);
  if (earbudLike > 3) fail(`${earbudLike} other products mention 무선 and 이어폰 (at most 3)`);
  if (runningLike > 4) fail(`${runningLike} other products mention running shoes (at most 4)`);
  for (const [slug, c] of cats) {
    if (c.leaf && (perCategory.get(slug) ?? 0) < 3) {
      fail(`leaf category ${slug} has ${perCategory.get(slug) ?? 0} products (< 3)`);
    }
  }

  /* The products the tests rely on, field by field. */
  const bySlug = new Map(doc.products.map((p) => [p.slug, p]));
  for (const want of PINNED) {
    const got = bySlug.get(want.slug);
    if (!got) {
      fail(`pinned product ${want.slug} is missing`);
      continue;
    }
    for (const [k, v] of Object.entries(want)) {
      if (JSON.stringify(got[k]) !== JSON.stringify(v)) {
        fail(`pinned product ${want.slug}: ${k} is ${JSON.stringify(got[k])}`);
      }
    }
  }
  const parentOf = (slug, parent) =>
    doc.categories.find((c) => c.slug === parent)?.children.some((c) => c.slug === slug);
  if (!parentOf('audio', 'electronics')) fail('audio is not a child of electronics');
  if (!parentOf('shoes', 'fashion')) fail('shoes is not a child of fashion');
  if (cats.get('kitchen-tableware')?.top !== 'kitchen') {
    fail('kitchen-tableware is not under kitchen');
  }

  /* Images: exactly the referenced ones, each a small clean SVG. */
  let svgBytes = 0, svgCount = 0;
  const checkDir = (dir, names, size) => {
    const onDisk = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    for (const name of onDisk) {
      if (!names.has(name)) fail(`${path.relative(ROOT, dir)}/${name} is stale`);
    }
    for (const name of names) {
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) {
        fail(`${path.relative(ROOT, file)} is missing`);
        continue;
      }
      const svg = fs.readFileSync(file, 'utf8');
      svgBytes += Buffer.byteLength(svg);
      svgCount++;
      for (const problem of svgProblems(svg, size)) {
        fail(`${path.relative(ROOT, file)}: ${problem}`);
      }
    }
  };
  const imageNames = doc.products.flatMap((p) => p.images.map((u) => path.basename(u)));
  checkDir(PRODUCT_IMG_DIR, new Set(imageNames), 400);
  checkDir(CATEGORY_IMG_DIR, new Set(doc.categories.map((c) => `${c.slug}.svg`)), 96);

  for (const e of errors) {
    console.error(`catalog-demo check: ${e}`);
  }
  const tops = doc.categories.map((c) => c.slug);
  console.log(`catalog-demo check: categories ${perLevel[1]} top / ${perLevel[2]} second / ` +
    `${perLevel[3]} third level; products ${total} (drafts ${drafts}, sold out ${soldOut}, ` +
    `stock 1-5 ${low}, on sale ${sales}); ${svgCount} SVG files, ${svgBytes} bytes; ` +
    `top-level: ${tops.join(' ')}`);
  console.log(errors.length === 0 ? 'catalog-demo check: OK'
    : `catalog-demo check: ${errors.length} problem(s)`);
  return errors.length === 0;
}

/* ------------------------------------------------------------------------------------ main */

const args = process.argv.slice(2);
if (args.length > 1 || (args.length === 1 && args[0] !== '--check')) {
  console.error('usage: node tools/catalog-demo.mjs [--check]');
  process.exit(2);
}
if (args.length === 0) {
  generate();
}
process.exit(check() ? 0 : 1);
