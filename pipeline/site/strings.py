"""The site's own words (Next, Characters, Transcript…) in the comic's `language:`.

The theme says `t("next")`; this module answers in the project's language, English when it
has no translation. A project adds or overrides words with `templates/strings.yaml`, a
mapping of the keys below to its own text (see docs/format.md, "The site's own words").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import yaml

from ..errors import Problem, ProjectError

STRINGS_FILE = "strings.yaml"  # in the project's templates/

EN = {
    "stories": "Stories", "characters": "Characters", "skip": "Skip to content",
    "site": "Site", "made_with": "Made with Panelwright", "by": "by {author}",
    "story_meta": "{pages} pages · {panels} panels", "contents": "contents",
    "cover_of": "Cover of {title}", "first": "« First", "previous": "‹ Previous",
    "next": "Next ›", "last": "Last »", "pages": "Pages", "pages_again": "Pages, again",
    "page_of": "page {n} of {total}", "guided": "Guided view",
    "previous_panel": "Previous panel", "next_panel": "Next panel", "close": "Close",
    "panel_of": "Panel {n} of {total}", "transcript": "Transcript of page {n}",
    "panel": "Panel {n}", "whispering": "whispering", "shouting": "shouting",
    "thinking": "thinking", "caption": "Caption", "sound": "Sound", "set_in": "Set in",
    "with": "With", "page": "Page {n}", "search": "Search", "search_hint": "a name",
    "gallery_pages": "Gallery pages", "character_card": "Character card",
    "personality": "Personality:", "appears_in": "Appears in", "no_story": "No story yet.",
    "portrait_of": "Portrait of {name}", "idle": "{name}, breathing and blinking",
    "scenes": "Scenes", "lore": "Lore", "first_appearance": "First appearance",
    "page_count": "{count} pages", "one_page": "1 page", "shown_of": "{n} of {total}",
    "scroll": "Read as one scroll", "story_scenes": "Scenes", "chapters": "Chapters",
    "chapters_again": "Chapters, again", "previous_chapter": "‹ Previous chapter",
    "next_chapter": "Next chapter ›", "contents_page": "Contents",
}

# each language's words for the keys of EN (a key missing here reads in English)
TRANSLATIONS: dict[str, dict[str, str]] = {
    "fr": {
        "stories": "Histoires", "characters": "Personnages", "skip": "Aller au contenu",
        "site": "Site", "made_with": "Fait avec Panelwright", "by": "par {author}",
        "story_meta": "{pages} pages · {panels} cases", "contents": "sommaire",
        "cover_of": "Couverture de {title}", "first": "« Début", "previous": "‹ Précédente",
        "next": "Suivante ›", "last": "Fin »", "pages": "Pages", "pages_again": "Pages, bas",
        "page_of": "page {n} sur {total}", "guided": "Lecture guidée",
        "previous_panel": "Case précédente", "next_panel": "Case suivante", "close": "Fermer",
        "panel_of": "Case {n} sur {total}", "transcript": "Transcription de la page {n}",
        "panel": "Case {n}", "whispering": "en chuchotant", "shouting": "en criant",
        "thinking": "en pensée", "caption": "Récitatif", "sound": "Son", "set_in": "Se passe à",
        "with": "Avec", "page": "Page {n}", "search": "Rechercher", "search_hint": "un nom",
        "gallery_pages": "Pages de la galerie", "character_card": "Fiche du personnage",
        "personality": "Personnalité :", "appears_in": "Apparaît dans",
        "no_story": "Aucune histoire pour l'instant.", "portrait_of": "Portrait de {name}",
        "idle": "{name}, qui respire et cligne des yeux", "scenes": "Lieux", "lore": "Légendes",
        "first_appearance": "Première apparition", "page_count": "{count} pages",
        "shown_of": "{n} sur {total}",
        "one_page": "1 page",
        "scroll": "Lire d'un seul défilement", "story_scenes": "Scènes", "chapters": "Chapitres",
        "chapters_again": "Chapitres, bas", "previous_chapter": "‹ Chapitre précédent",
        "next_chapter": "Chapitre suivant ›", "contents_page": "Sommaire",
    },
    "de": {
        "stories": "Geschichten", "characters": "Figuren", "skip": "Zum Inhalt springen",
        "site": "Website", "made_with": "Erstellt mit Panelwright", "by": "von {author}",
        "story_meta": "{pages} Seiten · {panels} Panels", "contents": "Inhalt",
        "cover_of": "Titelbild von {title}", "first": "« Erste", "previous": "‹ Zurück",
        "next": "Weiter ›", "last": "Letzte »", "pages": "Seiten",
        "pages_again": "Seiten, unten", "page_of": "Seite {n} von {total}",
        "guided": "Geführte Ansicht", "previous_panel": "Voriges Panel",
        "next_panel": "Nächstes Panel", "close": "Schließen",
        "panel_of": "Panel {n} von {total}", "transcript": "Text von Seite {n}",
        "panel": "Panel {n}", "whispering": "flüsternd", "shouting": "rufend",
        "thinking": "denkend", "caption": "Erzähltext", "sound": "Geräusch",
        "set_in": "Spielt in", "with": "Mit", "page": "Seite {n}", "search": "Suchen",
        "search_hint": "ein Name", "gallery_pages": "Galerieseiten",
        "character_card": "Figurenkarte", "personality": "Wesen:", "appears_in": "Kommt vor in",
        "no_story": "Noch keine Geschichte.", "portrait_of": "Porträt von {name}",
        "idle": "{name}, atmend und blinzelnd", "scenes": "Schauplätze", "lore": "Wissen",
        "first_appearance": "Erster Auftritt", "page_count": "{count} Seiten",
        "shown_of": "{n} von {total}",
        "one_page": "1 Seite",
        "scroll": "Als eine Bildleiste lesen", "story_scenes": "Szenen", "chapters": "Kapitel",
        "chapters_again": "Kapitel, unten", "previous_chapter": "‹ Voriges Kapitel",
        "next_chapter": "Nächstes Kapitel ›", "contents_page": "Inhalt",
    },
    "es": {
        "stories": "Historias", "characters": "Personajes", "skip": "Saltar al contenido",
        "site": "Sitio", "made_with": "Hecho con Panelwright", "by": "por {author}",
        "story_meta": "{pages} páginas · {panels} viñetas", "contents": "índice",
        "cover_of": "Portada de {title}", "first": "« Primera", "previous": "‹ Anterior",
        "next": "Siguiente ›", "last": "Última »", "pages": "Páginas",
        "pages_again": "Páginas, abajo", "page_of": "página {n} de {total}",
        "guided": "Lectura guiada", "previous_panel": "Viñeta anterior",
        "next_panel": "Viñeta siguiente", "close": "Cerrar",
        "panel_of": "Viñeta {n} de {total}", "transcript": "Transcripción de la página {n}",
        "panel": "Viñeta {n}", "whispering": "susurrando", "shouting": "gritando",
        "thinking": "pensando", "caption": "Cartela", "sound": "Sonido",
        "set_in": "Transcurre en", "with": "Con", "page": "Página {n}", "search": "Buscar",
        "search_hint": "un nombre", "gallery_pages": "Páginas de la galería",
        "character_card": "Ficha del personaje", "personality": "Personalidad:",
        "appears_in": "Aparece en", "no_story": "Aún no hay historias.",
        "portrait_of": "Retrato de {name}", "idle": "{name}, respirando y parpadeando",
        "scenes": "Escenarios", "lore": "Trasfondo", "first_appearance": "Primera aparición",
        "page_count": "{count} páginas",
        "shown_of": "{n} de {total}",
        "one_page": "1 página",
        "scroll": "Leer de un solo desplazamiento", "story_scenes": "Escenas",
        "chapters": "Capítulos",
        "chapters_again": "Capítulos, abajo", "previous_chapter": "‹ Capítulo anterior",
        "next_chapter": "Capítulo siguiente ›", "contents_page": "Índice",
    },
    "it": {
        "stories": "Storie", "characters": "Personaggi", "skip": "Vai al contenuto",
        "site": "Sito", "made_with": "Fatto con Panelwright", "by": "di {author}",
        "story_meta": "{pages} pagine · {panels} vignette", "contents": "indice",
        "cover_of": "Copertina di {title}", "first": "« Prima", "previous": "‹ Precedente",
        "next": "Successiva ›", "last": "Ultima »", "pages": "Pagine",
        "pages_again": "Pagine, in fondo", "page_of": "pagina {n} di {total}",
        "guided": "Lettura guidata", "previous_panel": "Vignetta precedente",
        "next_panel": "Vignetta successiva", "close": "Chiudi",
        "panel_of": "Vignetta {n} di {total}", "transcript": "Trascrizione della pagina {n}",
        "panel": "Vignetta {n}", "whispering": "sussurrando", "shouting": "gridando",
        "thinking": "pensando", "caption": "Didascalia", "sound": "Suono",
        "set_in": "Ambientata a", "with": "Con", "page": "Pagina {n}", "search": "Cerca",
        "search_hint": "un nome", "gallery_pages": "Pagine della galleria",
        "character_card": "Scheda del personaggio", "personality": "Carattere:",
        "appears_in": "Compare in", "no_story": "Ancora nessuna storia.",
        "portrait_of": "Ritratto di {name}", "idle": "{name}, che respira e sbatte le palpebre",
        "scenes": "Luoghi", "lore": "Tradizioni", "first_appearance": "Prima apparizione",
        "page_count": "{count} pagine",
        "shown_of": "{n} di {total}",
        "one_page": "1 pagina",
        "scroll": "Leggi in un'unica striscia", "story_scenes": "Scene", "chapters": "Capitoli",
        "chapters_again": "Capitoli, in fondo", "previous_chapter": "‹ Capitolo precedente",
        "next_chapter": "Capitolo successivo ›", "contents_page": "Indice",
    },
    "pt": {
        "stories": "Histórias", "characters": "Personagens", "skip": "Ir para o conteúdo",
        "site": "Site", "made_with": "Feito com Panelwright", "by": "por {author}",
        "story_meta": "{pages} páginas · {panels} quadros", "contents": "sumário",
        "cover_of": "Capa de {title}", "first": "« Primeira", "previous": "‹ Anterior",
        "next": "Próxima ›", "last": "Última »", "pages": "Páginas",
        "pages_again": "Páginas, em baixo", "page_of": "página {n} de {total}",
        "guided": "Leitura guiada", "previous_panel": "Quadro anterior",
        "next_panel": "Próximo quadro", "close": "Fechar",
        "panel_of": "Quadro {n} de {total}", "transcript": "Transcrição da página {n}",
        "panel": "Quadro {n}", "whispering": "sussurrando", "shouting": "gritando",
        "thinking": "pensando", "caption": "Legenda", "sound": "Som", "set_in": "Passa-se em",
        "with": "Com", "page": "Página {n}", "search": "Pesquisar", "search_hint": "um nome",
        "gallery_pages": "Páginas da galeria", "character_card": "Ficha da personagem",
        "personality": "Personalidade:", "appears_in": "Aparece em",
        "no_story": "Ainda sem histórias.", "portrait_of": "Retrato de {name}",
        "idle": "{name}, respirando e piscando", "scenes": "Cenários", "lore": "Tradições",
        "first_appearance": "Primeira aparição", "page_count": "{count} páginas",
        "shown_of": "{n} de {total}",
        "one_page": "1 página",
        "scroll": "Ler como uma tira contínua", "story_scenes": "Cenas", "chapters": "Capítulos",
        "chapters_again": "Capítulos, abaixo", "previous_chapter": "‹ Capítulo anterior",
        "next_chapter": "Próximo capítulo ›", "contents_page": "Sumário",
    },
    "ja": {
        "stories": "作品", "characters": "キャラクター", "skip": "本文へ移動", "site": "サイト",
        "made_with": "Panelwright で制作", "by": "作：{author}",
        "story_meta": "{pages}ページ・{panels}コマ", "contents": "目次",
        "cover_of": "{title} の表紙", "first": "« 最初", "previous": "‹ 前へ",
        "next": "次へ ›", "last": "最後 »", "pages": "ページ", "pages_again": "ページ（下）",
        "page_of": "{total}ページ中{n}ページ目", "guided": "コマ送り表示",
        "previous_panel": "前のコマ", "next_panel": "次のコマ", "close": "閉じる",
        "panel_of": "{total}コマ中{n}コマ目", "transcript": "{n}ページのテキスト",
        "panel": "コマ{n}", "whispering": "ささやき", "shouting": "叫び", "thinking": "心の声",
        "caption": "ナレーション", "sound": "効果音", "set_in": "舞台", "with": "登場",
        "page": "{n}ページ", "search": "検索", "search_hint": "名前",
        "gallery_pages": "ギャラリーのページ", "character_card": "キャラクターカード",
        "personality": "性格：", "appears_in": "登場作品", "no_story": "まだ作品はありません。",
        "portrait_of": "{name}の肖像", "idle": "呼吸しまばたきする{name}", "scenes": "場所",
        "lore": "設定", "first_appearance": "初登場", "page_count": "{count}ページ",
        "shown_of": "{total}件中{n}件",
        "one_page": "1ページ",
        "scroll": "縦スクロールで通して読む", "story_scenes": "シーン", "chapters": "章",
        "chapters_again": "章（下）", "previous_chapter": "‹ 前の章",
        "next_chapter": "次の章 ›", "contents_page": "目次",
    },
    "zh": {
        "stories": "故事", "characters": "角色", "skip": "跳到正文", "site": "网站",
        "made_with": "由 Panelwright 制作", "by": "作者：{author}",
        "story_meta": "{pages} 页 · {panels} 格", "contents": "目录",
        "cover_of": "《{title}》封面", "first": "« 第一页", "previous": "‹ 上一页",
        "next": "下一页 ›", "last": "最后一页 »", "pages": "翻页", "pages_again": "翻页（底部）",
        "page_of": "第 {n} 页，共 {total} 页", "guided": "逐格阅读",
        "previous_panel": "上一格", "next_panel": "下一格", "close": "关闭",
        "panel_of": "第 {n} 格，共 {total} 格", "transcript": "第 {n} 页文字稿",
        "panel": "第 {n} 格", "whispering": "低语", "shouting": "大喊", "thinking": "心想",
        "caption": "旁白", "sound": "音效", "set_in": "故事发生在", "with": "登场",
        "page": "第 {n} 页", "search": "搜索", "search_hint": "名字",
        "gallery_pages": "图库翻页", "character_card": "角色卡", "personality": "性格：",
        "appears_in": "出场作品", "no_story": "暂无故事。", "portrait_of": "{name}的肖像",
        "idle": "{name}，呼吸并眨眼", "scenes": "场景", "lore": "设定",
        "first_appearance": "首次登场", "page_count": "{count} 页",
        "shown_of": "{n} / {total}",
        "one_page": "1 页",
        "scroll": "条漫模式连续阅读", "story_scenes": "场景", "chapters": "章节",
        "chapters_again": "章节（底部）", "previous_chapter": "‹ 上一章",
        "next_chapter": "下一章 ›", "contents_page": "目录",
    },
    "ko": {
        "stories": "이야기", "characters": "등장인물", "skip": "본문으로 건너뛰기", "site": "사이트",
        "made_with": "Panelwright로 제작", "by": "지은이: {author}",
        "story_meta": "{pages}쪽 · {panels}컷", "contents": "목차",
        "cover_of": "{title} 표지", "first": "« 처음", "previous": "‹ 이전",
        "next": "다음 ›", "last": "마지막 »", "pages": "페이지", "pages_again": "페이지 (아래)",
        "page_of": "{total}쪽 중 {n}쪽", "guided": "컷 단위 보기",
        "previous_panel": "이전 컷", "next_panel": "다음 컷", "close": "닫기",
        "panel_of": "{total}컷 중 {n}컷", "transcript": "{n}쪽 대본", "panel": "{n}컷",
        "whispering": "속삭임", "shouting": "외침", "thinking": "생각", "caption": "내레이션",
        "sound": "효과음", "set_in": "배경", "with": "등장", "page": "{n}쪽", "search": "검색",
        "search_hint": "이름", "gallery_pages": "갤러리 페이지", "character_card": "캐릭터 카드",
        "personality": "성격:", "appears_in": "등장 작품", "no_story": "아직 이야기가 없습니다.",
        "portrait_of": "{name}의 초상", "idle": "숨 쉬고 눈을 깜박이는 {name}", "scenes": "장소",
        "lore": "설정", "first_appearance": "첫 등장", "page_count": "{count}쪽",
        "shown_of": "{total}개 중 {n}개",
        "one_page": "1쪽",
        "scroll": "세로 스크롤로 읽기", "story_scenes": "장면", "chapters": "챕터",
        "chapters_again": "챕터(아래)", "previous_chapter": "‹ 이전 챕터",
        "next_chapter": "다음 챕터 ›", "contents_page": "목차",
    },
    "ru": {
        "stories": "Истории", "characters": "Персонажи", "skip": "Перейти к содержимому",
        "site": "Сайт", "made_with": "Сделано в Panelwright", "by": "автор: {author}",
        "story_meta": "страниц: {pages} · кадров: {panels}", "contents": "содержание",
        "cover_of": "Обложка: {title}", "first": "« Первая", "previous": "‹ Назад",
        "next": "Вперёд ›", "last": "Последняя »", "pages": "Страницы",
        "pages_again": "Страницы, внизу", "page_of": "страница {n} из {total}",
        "guided": "Покадровый просмотр", "previous_panel": "Предыдущий кадр",
        "next_panel": "Следующий кадр", "close": "Закрыть",
        "panel_of": "Кадр {n} из {total}", "transcript": "Текст страницы {n}",
        "panel": "Кадр {n}", "whispering": "шёпотом", "shouting": "кричит",
        "thinking": "думает", "caption": "Подпись", "sound": "Звук", "set_in": "Место действия:",
        "with": "В ролях:", "page": "Страница {n}", "search": "Поиск", "search_hint": "имя",
        "gallery_pages": "Страницы галереи", "character_card": "Карточка персонажа",
        "personality": "Характер:", "appears_in": "Появляется в",
        "no_story": "Историй пока нет.", "portrait_of": "Портрет: {name}",
        "idle": "{name} дышит и моргает", "scenes": "Места", "lore": "Предания",
        "first_appearance": "Первое появление", "page_count": "страниц: {count}",
        "shown_of": "{n} из {total}",
        "one_page": "1 страница",
        "scroll": "Читать одной лентой", "story_scenes": "Сцены", "chapters": "Главы",
        "chapters_again": "Главы, внизу", "previous_chapter": "‹ Предыдущая глава",
        "next_chapter": "Следующая глава ›", "contents_page": "Оглавление",
    },
}


def words(language: str) -> dict[str, str]:
    """The theme's words in `language` (an HTML lang code such as 'pt-BR'), English for
    any it has no translation of."""
    tag = (language or "en").replace("_", "-").lower()
    found = TRANSLATIONS.get(tag) or TRANSLATIONS.get(tag.split("-")[0], {})
    return EN | found


def overrides(templates: Mapping[str, str]) -> dict[str, str]:
    """The project's own words from templates/strings.yaml (key: text); a Problem for a
    file that is not such a mapping or names a key the theme does not have."""
    text = templates.get(STRINGS_FILE)
    if text is None:
        return {}
    file = "templates/" + STRINGS_FILE
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProjectError([Problem(
            file=file, line=mark.line + 1 if mark else 1,
            message=f"this is not valid YAML: {getattr(exc, 'problem', exc)}",
            hint="write one 'key: text' per line, e.g. next: \"Onward ›\"")]) from None
    if not isinstance(data, dict):
        raise ProjectError([Problem(file=file, line=1, message="this must be a mapping of "
                                    "keys to text", hint="write one 'key: text' per line")])
    problems = []
    for key, value in data.items():
        if key not in EN:
            line = next((i + 1 for i, row in enumerate(text.splitlines())
                         if row.lstrip().startswith(f"{key}:")), 1)
            problems.append(Problem(file=file, line=line,
                                    message=f"'{key}' is not one of the site's words",
                                    hint="the keys are: " + ", ".join(sorted(EN))))
        elif not isinstance(value, str | int | float):
            problems.append(Problem(file=file, line=1, message=f"'{key}' must be text",
                                    hint=f'write it as {key}: "{EN[key]}"'))
    if problems:
        raise ProjectError(problems)
    return {key: str(value) for key, value in data.items()}


def translator(language: str, templates: Mapping[str, str]) -> Callable[..., str]:
    """`t(key, **values)` for the templates: the word in the project's language (or its
    override), with {name} placeholders filled in."""
    table = words(language) | overrides(templates)

    def t(key: str, **values: object) -> str:
        text = table.get(key, key)
        for name, value in values.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    return t
