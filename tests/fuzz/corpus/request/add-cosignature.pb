öù

s6-sessioné
 wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww  ¿çˆ◊*@ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ